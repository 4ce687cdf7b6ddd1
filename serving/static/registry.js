// The registry page: "레지스트리 다시 만들기" queues the registry_build job (POST /registry/build)
// and follows its progress over the jobs SSE stream; ?job=… in the URL re-attaches after a
// reload. Uses the helpers of app.js (window.ControlTower), which loads first.
(() => {
  "use strict";

  const { $, api, announce, streamEvents } = window.ControlTower;
  const FINAL = new Set(["done", "failed", "cancelled"]);

  function rememberJob(jobId) {
    const url = new URL(window.location.href);
    if (jobId) url.searchParams.set("job", jobId);
    else url.searchParams.delete("job");
    window.history.replaceState(null, "", url);
  }

  function resultText(job) {
    const r = job.result || {};
    if (job.state !== "succeeded") return job.error_message || "등록부를 만들지 못했습니다.";
    const parts = [`사업 카드 ${r.cards ?? "?"}건`];
    if (r.created !== undefined) parts.push(`새 카드 ${r.created}건, 갱신 ${r.updated ?? 0}건`);
    if (r.links !== undefined) parts.push(`연결 ${r.links}건`);
    return `등록부를 다시 만들었습니다: ${parts.join(", ")}.`;
  }

  async function follow(jobId, button, bar, status) {
    rememberJob(jobId);
    button.disabled = true;
    bar.hidden = false;
    let final = null;
    for (let attempt = 0; attempt < 5 && !final; attempt++) {
      try {
        await streamEvents(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, (event, data) => {
          const job = JSON.parse(data);
          if (job.progress_total) bar.value = Math.round((100 * job.progress_done) / job.progress_total);
          if (job.message) announce(status, `진행 중: ${job.message}`);
          if (FINAL.has(event)) final = job;
        });
      } catch (e) {
        announce(status, `진행 상황을 받지 못했습니다: ${e.message}`);
        break;
      }
      if (!final) await new Promise((r) => setTimeout(r, 2000)); // stream cut: re-attach
    }
    rememberJob(null);
    button.disabled = false;
    status.dataset.jobState = final ? final.state : "unknown";
    if (!final) return;
    bar.value = 100;
    announce(status, resultText(final));
    if (final.state === "succeeded") {
      // The table shows the new cards (htmx is loaded by the layout).
      const form = $("#registry-filters");
      if (form && window.htmx) window.htmx.trigger(form, "submit");
    }
  }

  function init() {
    const button = $("#registry-build");
    if (!button) return;
    const bar = $("#registry-build-progress");
    const status = $("#registry-build-status");
    button.addEventListener("click", async () => {
      button.disabled = true;
      announce(status, "등록부 만들기를 요청하는 중입니다…");
      try {
        const { status: code, body } = await api("/registry/build", { method: "POST" });
        if (code !== 202 || !body || !body.job_id) throw new Error((body && body.detail && body.detail.message) || "요청이 거절되었습니다.");
        announce(status, "대기 중입니다…");
        await follow(body.job_id, button, bar, status);
      } catch (e) {
        announce(status, `등록부를 만들지 못했습니다: ${e.message}`);
        button.disabled = false;
      }
    });
    if (button.dataset.job) {
      announce(status, "진행 중인 작업에 다시 연결했습니다.");
      follow(button.dataset.job, button, bar, status);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
