// Control Tower web UI: vanilla JS, no build step. The selected user travels as X-CT-User.
"use strict";

const $ = (sel) => document.querySelector(sel);
const ACCESS_KO = { public: "공개", internal: "내부", department: "부서 한정", restricted: "지정 사용자" };
const STATUS_KO = { indexed: "색인됨", updated: "갱신됨", unchanged: "변경 없음", skipped: "건너뜀", failed: "실패", pending: "처리 중" };

function headers() {
  const user = $("#user").value;
  return user ? { "X-CT-User": encodeURIComponent(user) } : {};
}

function escapeHtml(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  let body = null;
  try { body = await res.json(); } catch (_) { /* non-JSON error page */ }
  if (!res.ok) {
    const detail = body && body.detail ? (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail)) : `서버 오류 (${res.status})`;
    throw new Error(detail);
  }
  return body;
}

function location(c) {
  const parts = [];
  if (c.page) parts.push(`${c.page}쪽`);
  if (c.sheet) parts.push(`시트 '${c.sheet}'`);
  if (c.row) parts.push(`${c.row}행`);
  if (c.section) parts.push(c.section);
  if (c.paragraph_index !== null && c.paragraph_index !== undefined && !c.page) parts.push(`문단 ${c.paragraph_index + 1}`);
  return parts.join(" · ");
}

async function loadUsers() {
  try {
    const { users } = await api("/api/v1/users");
    const depts = new Set();
    for (const u of users) {
      const opt = document.createElement("option");
      opt.value = u.username;
      opt.textContent = `${u.username} (${u.department || "-"}, ${u.roles.join("/")})`;
      $("#user").appendChild(opt);
      if (u.department) depts.add(u.department);
    }
    for (const d of [...depts].sort()) {
      const opt = document.createElement("option");
      opt.value = d; opt.textContent = d;
      $("#department").appendChild(opt);
    }
    const saved = localStorage.getItem("ct-user");
    if (saved !== null) $("#user").value = saved;
  } catch (e) {
    $("#search-status").textContent = `사용자 목록을 불러오지 못했습니다: ${e.message}`;
  }
}

async function search(ev) {
  ev.preventDefault();
  const params = new URLSearchParams({ q: $("#q").value, k: "10" });
  if ($("#department").value) params.set("department", $("#department").value);
  if ($("#doc_type").value) params.set("doc_type", $("#doc_type").value);
  $("#search-status").textContent = "검색 중…";
  $("#results").innerHTML = "";
  try {
    const t0 = performance.now();
    const { results } = await api(`/api/v1/search?${params}`);
    const ms = Math.round(performance.now() - t0);
    $("#search-status").textContent = results.length ? `${results.length}건 (${ms} ms)` : "검색 결과가 없습니다. 다른 표현으로 검색해 보세요.";
    for (const r of results) {
      const c = r.citation || r;
      const li = document.createElement("li");
      // The snippet is HTML-escaped by the server except for <mark> highlights.
      li.innerHTML = `
        <div class="title">${escapeHtml(r.title)} <span class="badge">${escapeHtml(r.department)}</span></div>
        <div class="where">${escapeHtml(r.path)} ${escapeHtml(location(c))}</div>
        <p class="snippet">${r.snippet || escapeHtml(r.text)}</p>
        <div class="score">점수 ${Number(r.score).toFixed(3)}</div>`;
      $("#results").appendChild(li);
    }
  } catch (e) {
    $("#search-status").textContent = `검색하지 못했습니다: ${e.message}`;
  }
}

async function loadDocuments() {
  try {
    const { documents } = await api("/api/v1/documents");
    $("#doc-rows").innerHTML = documents.map((d) => `
      <tr class="st-${escapeHtml(d.status)}">
        <td>${escapeHtml(d.title)}</td><td>${escapeHtml(d.department)}</td><td>${escapeHtml(d.doc_type)}</td>
        <td>${escapeHtml(ACCESS_KO[d.access_level] || d.access_level)}</td>
        <td title="${escapeHtml(d.message || "")}">${escapeHtml(STATUS_KO[d.status] || d.status)}${d.message ? ": " + escapeHtml(d.message) : ""}</td>
        <td>${d.chunks ?? ""}</td>
      </tr>`).join("");
  } catch (e) {
    $("#upload-status").textContent = `문서 목록을 불러오지 못했습니다: ${e.message}`;
  }
}

async function upload(ev) {
  ev.preventDefault();
  const form = new FormData();
  form.append("file", $("#file").files[0]);
  form.append("department", $("#up-department").value);
  form.append("access", $("#up-access").value);
  $("#upload-status").textContent = "문서를 처리하는 중입니다…";
  try {
    const r = await api("/api/v1/documents", { method: "POST", body: form });
    const f = r.files ? r.files[0] : r;
    $("#upload-status").textContent = f.status === "failed" || f.status === "skipped"
      ? `처리하지 못했습니다: ${f.message || f.reason}`
      : `${STATUS_KO[f.status] || f.status} — ${f.chunks}개 청크`;
    loadDocuments();
  } catch (e) {
    $("#upload-status").textContent = `올리지 못했습니다: ${e.message}`;
  }
}

function switchTab(name) {
  document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("hidden", p.id !== `tab-${name}`));
  if (name === "documents") loadDocuments();
}

document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => switchTab(b.dataset.tab)));
$("#user").addEventListener("change", () => {
  localStorage.setItem("ct-user", $("#user").value);
  $("#results").innerHTML = "";
  $("#search-status").textContent = "";
});
$("#search-form").addEventListener("submit", search);
$("#upload-form").addEventListener("submit", upload);
loadUsers();
