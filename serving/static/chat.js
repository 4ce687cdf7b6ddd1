// The AI 비서 page (/chat): asks POST /api/v1/chat and shows the answer as it streams — tool
// steps, then tokens, then the checked answer (server-rendered: GET /chat/{id}/last swaps the
// streamed plain text for the Markdown with [n] links and the sources). Rename and delete of
// conversations go through /api/v1/conversations/{id}.
// The stream is read by chat_stream.js (window.ControlTowerChat.postStream).
(() => {
  "use strict";

  const { $, api, errorText } = window.ControlTower;
  const { postStream } = window.ControlTowerChat;
  const TOOL_LABELS = {
    search_documents: "문서 검색 중…",
    registry_aggregate: "사업 카드 집계 중…",
    find_projects: "사업 찾는 중…",
    get_project: "사업 카드 여는 중…",
    related_projects: "연관 사업 찾는 중…",
  };

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function argsText(args) {
    const parts = Object.entries(args || {})
      .filter(([, v]) => v !== null && v !== "" && v !== undefined)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const text = parts.join(", ");
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  }

  function liveTurn(question) {
    const li = el("li", "chat-turn chat-live");
    li.setAttribute("data-testid", "chat-turn");
    li.append(el("p", "chat-question", question));
    const box = el("div", "chat-answer-box");
    const steps = el("ul", "chat-steps");
    steps.setAttribute("aria-label", "사용한 도구");
    steps.setAttribute("data-testid", "chat-live-steps");
    const status = el("p", "hint chat-status", "질문을 살펴보는 중…");
    status.setAttribute("role", "status");
    const answer = el("div", "chat-answer chat-streaming");
    answer.setAttribute("data-testid", "chat-answer");
    box.append(steps, status, answer);
    li.append(box);
    return { li, steps, status, answer, box, stepItems: {} };
  }

  function onStep(turn, d) {
    let item = turn.stepItems[d.index];
    if (!item) {
      item = el("li", "chat-step");
      item.setAttribute("data-testid", "chat-step");
      turn.stepItems[d.index] = item;
      turn.steps.append(item);
    }
    const call = `${d.tool}(${argsText(d.args)})`;
    if (d.phase === "start") {
      item.textContent = `${TOOL_LABELS[d.tool] || "도구 실행 중…"} ${call}`;
      turn.status.textContent = TOOL_LABELS[d.tool] || "도구 실행 중…";
    } else {
      const secs = Number(d.seconds || 0).toFixed(1);
      item.textContent = `${call} · ${d.summary || (d.ok ? "완료" : "실패")} · ${secs}초`;
      if (d.ok === false) item.classList.add("chat-step-fail");
      turn.status.textContent = "답변을 쓰는 중…";
    }
  }

  function showError(turn, message) {
    const box = el("p", "notice notice-error chat-error", message);
    box.setAttribute("role", "alert");
    box.setAttribute("data-testid", "chat-error");
    turn.box.append(box);
    turn.status.remove();
  }

  async function refreshList(cid) {
    const res = await fetch(`/chat/${encodeURIComponent(cid)}`, { credentials: "same-origin" });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    const fresh = doc.getElementById("chat-conversations");
    const old = $("#chat-conversations");
    if (fresh && old) old.replaceWith(fresh);
    const heading = doc.getElementById("chat-thread-heading");
    if (heading) $("#chat-thread-heading").textContent = heading.textContent;
  }

  async function finish(turn, cid, answer, index) {
    try {
      const res = await fetch(`/chat/${encodeURIComponent(cid)}/last`, { credentials: "same-origin" });
      if (res.status !== 200) throw new Error(String(res.status));
      const tpl = document.createElement("template");
      tpl.innerHTML = (await res.text()).trim(); // the server's escaped, rendered turn
      const rendered = tpl.content.querySelector(".chat-turn");
      if (!rendered) throw new Error("no turn");
      rendered.dataset.index = String(index);
      turn.li.replaceWith(rendered);
    } catch (_) {
      turn.answer.textContent = answer.answer || ""; // plain text, still safe
      turn.status.remove();
    }
  }

  async function ask(form, thread) {
    const input = $("#chat-message", form);
    const send = $("#chat-send", form);
    const question = input.value.trim();
    if (!question) { input.focus(); return; }
    const turns = $("#chat-turns");
    const turn = liveTurn(question);
    const empty = $("#chat-empty");
    if (empty) empty.remove();
    turns.append(turn.li);
    turn.li.scrollIntoView({ block: "nearest" });
    send.disabled = true;
    input.value = "";
    let cid = thread.dataset.conversation || "";
    const isNew = !cid;
    let done = null;
    try {
      await postStream("/api/v1/chat", { message: question, conversation_id: cid || null }, (type, d) => {
        if (type === "conversation") {
          cid = d.conversation_id;
          thread.dataset.conversation = cid;
          if (isNew) window.history.replaceState(null, "", `/chat/${encodeURIComponent(cid)}`);
        } else if (type === "step") onStep(turn, d);
        else if (type === "token") {
          turn.answer.textContent += d.text || "";
          turn.status.textContent = "답변을 쓰는 중…";
        } else if (type === "done") done = d;
        else if (type === "error") showError(turn, d.message || "답변을 만들지 못했습니다.");
      });
      if (done) await finish(turn, cid, done, turns.children.length - 1);
      else if (!$(".chat-error", turn.box)) showError(turn, "답변이 중간에 끊겼습니다. 다시 시도해 주세요.");
      if (cid) await refreshList(cid);
    } catch (e) {
      showError(turn, e.message);
    } finally {
      send.disabled = false;
      input.focus();
    }
  }

  async function onListClick(ev) {
    const button = ev.target.closest("button[data-action]");
    if (!button) return;
    const item = button.closest(".chat-conversation");
    const id = item.dataset.id;
    const link = $("a", item);
    const url = `/api/v1/conversations/${encodeURIComponent(id)}`;
    const current = $("[data-testid=chat-thread]").dataset.conversation === id;
    try {
      if (button.dataset.action === "rename") {
        const title = window.prompt("새 대화 제목", link.textContent.trim());
        if (title === null || !title.trim()) return;
        const r = await api(url, {
          method: "PATCH",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ title }),
        });
        if (r.status !== 200) throw new Error(errorText(r.status, r.body));
        link.textContent = r.body.title;
        if (current) $("#chat-thread-heading").textContent = r.body.title;
      } else {
        if (!window.confirm(`‘${link.textContent.trim()}’ 대화를 삭제할까요? 되돌릴 수 없습니다.`)) return;
        await api(url, { method: "DELETE" });
        if (current) window.location.assign("/chat");
        else item.remove();
      }
    } catch (e) {
      window.alert(e.message);
    }
  }

  function init() {
    const form = $("#chat-form");
    const thread = $("[data-testid=chat-thread]");
    if (!form || !thread) return;
    form.addEventListener("submit", (ev) => { ev.preventDefault(); ask(form, thread); });
    $("#chat-message", form).addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        form.requestSubmit();
      }
    });
    document.addEventListener("click", (ev) => {
      if (ev.target.closest("#chat-conversations")) onListClick(ev);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
