// Control Tower web UI: small vanilla JS on top of server-rendered pages and htmx.
// Navigation and search work without it; this adds batch upload with per-file progress,
// document actions and scrolling a cited passage into view. Everything is inside one
// function scope: no globals (a top-level `function location` once broke the old page).
(() => {
  "use strict";

  const $ = (sel, root = document) => root.querySelector(sel);

  const STATUS_KO = {
    queued: "대기 중", running: "처리 중", uploading: "올리는 중", pending: "처리 중",
    indexed: "색인됨", updated: "갱신됨", unchanged: "변경 없음",
    skipped: "건너뜀", failed: "실패", succeeded: "완료", interrupted: "중단됨", cancelled: "취소됨",
  };
  const DONE_OK = new Set(["indexed", "updated", "unchanged", "succeeded"]);
  const DONE_BAD = new Set(["skipped", "failed", "interrupted", "cancelled"]);

  function csrfToken() {
    return document.body.dataset.csrfToken || "";
  }

  // fetch() with the session's CSRF token (htmx sends it from <body hx-headers>).
  async function api(path, options = {}) {
    const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken(), ...(options.headers || {}) };
    const res = await fetch(path, { credentials: "same-origin", ...options, headers });
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON */ }
    if (!res.ok && res.status !== 422) throw new Error(errorText(res.status, body));
    return { status: res.status, body };
  }

  function errorText(status, body) {
    const d = body && body.detail;
    if (d && typeof d === "object" && d.message) return d.message;
    if (typeof d === "string") return d;
    if (status === 401) return "로그인이 필요합니다. 페이지를 새로 고친 뒤 다시 로그인하세요.";
    return `요청을 처리하지 못했습니다 (${status}).`;
  }

  function announce(el, text) {
    if (el) el.textContent = text;
  }

  function documentsChanged() {
    document.body.dispatchEvent(new CustomEvent("ct:documents-changed"));
  }

  // --- the cited passage ------------------------------------------------------------------
  function showCited() {
    const cited = $("#cited");
    if (!cited) return;
    cited.scrollIntoView({ block: "center" });
    cited.focus({ preventScroll: true });
  }

  // --- upload: one row per file ------------------------------------------------------------
  function fileRow(list, name, key) {
    const li = document.createElement("li");
    li.dataset.testid = "upload-item";
    li.dataset.key = key;
    const title = document.createElement("span");
    title.className = "file-name";
    title.textContent = name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", `${name} 진행률`);
    const state = document.createElement("span");
    state.className = "file-state";
    li.append(title, bar, state);
    list.append(li);
    return li;
  }

  function setRow(li, status, message, percent) {
    const state = $(".file-state", li);
    const label = STATUS_KO[status] || status;
    state.textContent = message ? `${label}: ${message}` : label;
    state.className = `file-state state-${DONE_OK.has(status) ? "done" : status}`;
    li.dataset.status = status;
    const bar = $("progress", li);
    if (percent !== undefined) bar.value = percent;
    if (DONE_OK.has(status) || DONE_BAD.has(status)) bar.value = 100;
  }

  function summary(rows) {
    const all = rows.length;
    const ok = rows.filter((r) => DONE_OK.has(r.dataset.status)).length;
    const bad = rows.filter((r) => DONE_BAD.has(r.dataset.status)).length;
    if (ok + bad < all) return `${all}개 중 ${ok + bad}개 처리됨…`;
    return bad ? `${all}개 중 ${ok}개 완료, ${bad}개는 처리하지 못했습니다.` : `${all}개 모두 처리했습니다.`;
  }

  function baseForm(form) {
    const data = new FormData();
    data.append("department", $("#upload-department", form).value);
    data.append("access", $("#upload-access", form).value);
    if ($("#upload-access", form).value === "restricted") {
      data.append("allowed_users", $("#upload-allowed-users", form).value);
      data.append("allowed_departments", $("#upload-allowed-departments", form).value);
    }
    return data;
  }

  // The synchronous API: one request per file, upload progress from XHR.
  function uploadOne(form, file, li) {
    return new Promise((resolve) => {
      const data = baseForm(form);
      data.append("file", file, file.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (ev) => {
        if (ev.lengthComputable) setRow(li, "uploading", "", Math.round((ev.loaded / ev.total) * 90));
      };
      xhr.upload.onload = () => setRow(li, "running", "문서를 읽고 색인하는 중입니다", 90);
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300 || xhr.status === 422) {
          const r = (body && body.files && body.files[0]) || body || {};
          setRow(li, r.status || "failed", DONE_BAD.has(r.status) ? r.message || r.reason : "");
        } else {
          setRow(li, "failed", errorText(xhr.status, body));
        }
        resolve();
      };
      xhr.onerror = () => { setRow(li, "failed", "서버에 연결하지 못했습니다."); resolve(); };
      xhr.send(data);
    });
  }

  async function uploadSync(form, files, list, status) {
    const rows = files.map((f, i) => fileRow(list, f.name, String(i)));
    for (let i = 0; i < files.length; i++) {
      await uploadOne(form, files[i], rows[i]);
      announce(status, summary(rows));
      documentsChanged();
    }
  }

  function setupUpload() {
    const form = $("#upload-form");
    if (!form) return;
    const access = $("#upload-access", form);
    const allow = $("#upload-allow", form);
    const toggleAllow = () => { allow.hidden = access.value !== "restricted"; };
    access.addEventListener("change", toggleAllow);
    toggleAllow();
    const list = $("#upload-progress");
    const status = $("#upload-status");
    const button = $("#upload-submit", form);
    const maxBytes = Number(form.dataset.maxMb || 0) * 1024 * 1024;

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const files = [...$("#upload-files", form).files];
      if (!files.length) { announce(status, "올릴 파일을 선택하세요."); return; }
      const tooBig = files.filter((f) => maxBytes && f.size > maxBytes);
      if (tooBig.length) {
        announce(status, `허용된 최대 크기(${form.dataset.maxMb} MB)를 넘는 파일이 있습니다: ${tooBig.map((f) => f.name).join(", ")}`);
        return;
      }
      list.replaceChildren();
      button.disabled = true;
      announce(status, `${files.length}개 파일을 올리는 중입니다…`);
      try {
        await uploadSync(form, files, list, status);
        form.reset();
        toggleAllow();
      } catch (e) {
        announce(status, `올리지 못했습니다: ${e.message}`);
      } finally {
        button.disabled = false;
      }
    });
  }

  // --- re-ingest and delete ----------------------------------------------------------------
  function setupRowActions() {
    const table = $("#documents-table");
    if (!table) return;
    const status = $("#upload-status");
    table.addEventListener("click", async (ev) => {
      const button = ev.target.closest("button[data-action]");
      if (!button) return;
      const id = encodeURIComponent(button.dataset.docId);
      try {
        if (button.dataset.action === "delete") {
          if (!window.confirm(`'${button.dataset.title}' 문서를 삭제할까요? 검색에서도 사라집니다.`)) return;
          button.disabled = true;
          await api(`/api/v1/documents/${id}`, { method: "DELETE" });
          announce(status, `'${button.dataset.title}' 문서를 삭제했습니다.`);
        } else if (button.dataset.action === "reingest") {
          button.disabled = true;
          await api(`/api/v1/documents/${id}/reingest`, { method: "POST" });
          announce(status, "다시 색인을 요청했습니다.");
        }
        documentsChanged();
      } catch (e) {
        announce(status, `처리하지 못했습니다: ${e.message}`);
        button.disabled = false;
      }
    });
  }

  function init() {
    showCited();
    setupUpload();
    setupRowActions();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
