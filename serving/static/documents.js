// The documents page: batch upload with per-file progress (one POST, then the job's SSE
// stream; ?job=… in the URL re-attaches after a reload), re-ingest and delete.
// Uses the helpers of app.js (window.ControlTower), which loads first.
(() => {
  "use strict";

  const { $, api, announce, csrfToken, errorText, streamEvents } = window.ControlTower;

  const STATUS_KO = {
    queued: "대기 중", running: "처리 중", uploading: "올리는 중", pending: "처리 중",
    indexed: "색인됨", updated: "갱신됨", unchanged: "변경 없음",
    skipped: "건너뜀", failed: "실패", succeeded: "완료", interrupted: "중단됨", cancelled: "취소됨",
  };
  const DONE_OK = new Set(["indexed", "updated", "unchanged", "succeeded"]);
  const DONE_BAD = new Set(["skipped", "failed", "interrupted", "cancelled"]);

  function documentsChanged() {
    document.body.dispatchEvent(new CustomEvent("ct:documents-changed"));
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

  // One request for the whole batch (202 + job id), then per-file progress over SSE.
  function postBatch(form, files, onProgress) {
    return new Promise((resolve, reject) => {
      const data = baseForm(form);
      for (const f of files) data.append("files", f, f.name);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) onProgress(ev.loaded / ev.total); };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
        if (xhr.status === 202 && body && body.job_id) resolve(body);
        else reject(new Error(errorText(xhr.status, body)));
      };
      xhr.onerror = () => reject(new Error("서버에 연결하지 못했습니다."));
      xhr.send(data);
    });
  }

  const FINAL_EVENTS = new Set(["done", "failed", "cancelled"]);

  // Follow a job's events; rows are created from the job's items (so a reload re-attaches).
  async function followJob(jobId, list, status) {
    const rows = new Map(list ? [...list.querySelectorAll("li[data-key]")].map((li) => [li.dataset.key, li]) : []);
    const update = (job) => {
      for (const item of job.items || []) {
        let li = rows.get(item.key);
        if (!li && !list) continue;
        if (!li) { li = fileRow(list, item.label || item.key, item.key); rows.set(item.key, li); }
        const bad = DONE_BAD.has(item.status);
        setRow(li, item.status, bad ? item.message || "" : "", item.status === "running" ? 50 : undefined);
      }
      if (!job.items || !job.items.length) announce(status, job.message || STATUS_KO[job.state] || "");
      else announce(status, summary([...rows.values()]));
    };
    if (list) delete list.dataset.jobState;
    let final = null;
    for (let attempt = 0; attempt < 5 && !final; attempt++) {
      try {
        await streamEvents(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, (event, data) => {
          const job = JSON.parse(data);
          update(job);
          if (FINAL_EVENTS.has(event)) final = job;
        });
      } catch (e) {
        announce(status, `진행 상황을 받지 못했습니다: ${e.message}`);
        return null;
      }
      if (!final) await new Promise((r) => setTimeout(r, 2000)); // stream cut: re-attach
    }
    // Set once the stream has ended: tests (and people) may leave the page from here on.
    if (list) list.dataset.jobState = final ? final.state : "unknown";
    if (!final) announce(status, "진행 상황을 더 받을 수 없습니다. 페이지를 새로 고쳐 보세요.");
    else if (final.error_message) announce(status, `작업이 끝나지 못했습니다: ${final.error_message}`);
    return final;
  }

  function rememberJob(jobId) {
    const url = new URL(window.location.href);
    if (jobId) url.searchParams.set("job", jobId);
    else url.searchParams.delete("job");
    window.history.replaceState(null, "", url);
  }

  async function trackJob(jobId, list, status) {
    rememberJob(jobId);
    await followJob(jobId, list, status);
    rememberJob(null);
    documentsChanged();
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
      const rows = files.map((f, i) => fileRow(list, f.name, String(i)));
      button.disabled = true;
      announce(status, `${files.length}개 파일을 올리는 중입니다…`);
      try {
        const accepted = await postBatch(form, files, (share) => {
          for (const li of rows) setRow(li, "uploading", "", Math.round(share * 40));
        });
        for (const li of rows) setRow(li, "queued", "", 40);
        announce(status, "올리기를 마쳤습니다. 문서를 읽고 색인하는 중입니다…");
        form.reset();
        toggleAllow();
        await trackJob(accepted.job_id, list, status);
      } catch (e) {
        for (const li of rows) if (!li.dataset.status || li.dataset.status === "uploading") setRow(li, "failed", e.message);
        announce(status, `올리지 못했습니다: ${e.message}`);
      } finally {
        button.disabled = false;
      }
    });

    const jobId = new URL(window.location.href).searchParams.get("job");
    if (jobId) {
      announce(status, "진행 중인 작업에 다시 연결했습니다.");
      trackJob(jobId, list, status);
    }
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
          const { body } = await api(`/api/v1/documents/${id}/reingest`, { method: "POST" });
          announce(status, "다시 색인하는 중입니다…");
          const job = await followJob(body.job_id, $("#upload-progress"), status);
          if (job && job.state === "succeeded") announce(status, "다시 색인했습니다.");
        }
        documentsChanged();
      } catch (e) {
        announce(status, `처리하지 못했습니다: ${e.message}`);
        button.disabled = false;
      }
    });
  }

  function init() {
    setupUpload();
    setupRowActions();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
