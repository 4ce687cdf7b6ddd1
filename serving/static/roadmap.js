// The roadmap pages. On /roadmap?job=…: follow the draft job's progress over the jobs SSE
// stream (re-attaching after a reload or a cut stream), then offer the new draft. On a draft's
// workspace: a section's "다시 쓰기" shows that it is working (the form posts normally).
// Uses the helpers of app.js (window.ControlTower), which loads first.
(() => {
  "use strict";

  const { $, announce, streamEvents } = window.ControlTower;
  const FINAL = new Set(["done", "failed", "cancelled"]);

  function forgetJob() {
    const url = new URL(window.location.href);
    url.searchParams.delete("job");
    window.history.replaceState(null, "", url);
  }

  function doneText(job) {
    if (job.state !== "succeeded") return `초안을 만들지 못했습니다: ${job.error_message || "작업이 중단되었습니다."}`;
    const r = job.result || {};
    const failed = (r.failed_checks || []).length;
    const checks = failed ? `점검 실패 ${failed}건` : "점검 모두 통과";
    const templates = (r.templates || []).length ? `, 기본 문안 ${(r.templates || []).length}개 절` : "";
    return `초안을 만들었습니다: 추진과제 ${r.initiatives ?? "?"}개, ${checks}${templates}.`;
  }

  async function follow(box) {
    const jobId = box.dataset.job;
    const bar = $("#roadmap-job-progress");
    const status = $("#roadmap-job-status");
    const submit = $("#roadmap-draft-submit");
    announce(status, "대기 중입니다… (초안은 한 번에 하나씩 작성합니다)");
    let final = null;
    for (let attempt = 0; attempt < 30 && !final; attempt++) {
      try {
        await streamEvents(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, (event, data) => {
          const job = JSON.parse(data);
          if (job.progress_total) bar.value = Math.round((100 * job.progress_done) / job.progress_total);
          if (job.message) {
            announce(status, `진행 중: ${job.message}`);
            box.dataset.steps = String(Number(box.dataset.steps || 0) + 1); // seen, for tests
          }
          if (FINAL.has(event)) final = job;
        });
      } catch (e) {
        announce(status, `진행 상황을 받지 못했습니다: ${e.message}`);
        break;
      }
      if (!final) await new Promise((r) => setTimeout(r, 2000)); // stream cut: re-attach
    }
    forgetJob();
    if (submit) submit.disabled = false;
    box.dataset.jobState = final ? final.state : "unknown";
    if (!final) return;
    bar.value = 100;
    announce(status, doneText(final));
    const draft = final.result && final.result.draft_id;
    if (final.state === "succeeded" && draft) {
      const open = $("#roadmap-job-open");
      const link = $("a", open);
      link.href = `/roadmap/${encodeURIComponent(draft)}`;
      open.hidden = false;
      link.focus();
      if (window.htmx) { // the list below gains the new draft
        window.htmx.ajax("GET", "/roadmap", { target: "#roadmap-drafts", select: "#roadmap-drafts", swap: "outerHTML" });
      }
    }
  }

  function busyForms() {
    document.querySelectorAll(".regen-form").forEach((form) => {
      form.addEventListener("submit", () => {
        form.classList.add("htmx-request"); // shows its .busy line (registry.css)
        const button = $("button[type=submit]", form);
        // Disabled after the submit has been built, so the POST still goes out.
        if (button) setTimeout(() => { button.disabled = true; }, 0);
      });
    });
  }

  // A link to an initiative (#initiative-…: a dependency, a check item) opens its details.
  function openTarget() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const target = id && document.getElementById(id);
    const details = target && target.classList.contains("initiative") && $("details", target);
    if (details) details.open = true;
  }

  function init() {
    openTarget();
    window.addEventListener("hashchange", openTarget);
    const box = $("#roadmap-job-box");
    if (box && box.dataset.job) follow(box);
    busyForms();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
