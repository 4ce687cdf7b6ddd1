// Control Tower web UI, every page: small vanilla JS on top of server-rendered pages and htmx.
// Navigation and search work without it. Shared helpers are exposed as window.ControlTower for
// the page scripts (documents.js, and later issues' pages); nothing else is global (a top-level
// `function location` once broke the old page by colliding with window.location).
(() => {
  "use strict";

  const $ = (sel, root = document) => root.querySelector(sel);

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

  // Server-Sent Events read with XMLHttpRequest: the request ends when the server ends the
  // stream (EventSource would reconnect, or count as aborted when closed from here; a fetch()
  // body reader is reported as aborted by Chromium's DevTools for no-store streams).
  function streamEvents(url, onEvent) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      let seen = 0;
      let buf = "";
      const feed = () => {
        buf += xhr.responseText.slice(seen);
        seen = xhr.responseText.length;
        const hold = buf.endsWith("\r") ? "\r" : ""; // a CRLF may be cut between two reads
        let text = (hold ? buf.slice(0, -1) : buf).replace(/\r\n?/g, "\n");
        let end;
        while ((end = text.indexOf("\n\n")) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          let event = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (!line || line.startsWith(":")) continue; // comments are keep-alive pings
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "event") event = val;
            else if (field === "data") data.push(val);
          }
          if (data.length) onEvent(event, data.join("\n"));
        }
        buf = text + hold;
      };
      xhr.open("GET", url);
      xhr.setRequestHeader("Accept", "text/event-stream");
      xhr.onprogress = () => { if (xhr.status === 200) feed(); };
      xhr.onload = () => {
        if (xhr.status !== 200) {
          let body = null;
          try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
          reject(new Error(errorText(xhr.status, body)));
          return;
        }
        feed();
        resolve();
      };
      xhr.onerror = () => resolve(); // connection lost: the caller re-attaches
      xhr.send();
    });
  }

  // --- the cited passage ------------------------------------------------------------------
  function showCited() {
    const cited = $("#cited");
    if (!cited) return;
    cited.scrollIntoView({ block: "center" });
    cited.focus({ preventScroll: true });
  }

  // Keep search URLs short and shareable: leave out empty filters (q=…&department=&…).
  function setupSearch() {
    document.body.addEventListener("htmx:configRequest", (ev) => {
      if (!ev.target.closest || !ev.target.closest("#search-form")) return;
      const params = ev.detail.parameters;
      for (const [key, value] of [...params.entries()]) if (value === "") params.delete(key);
    });
  }

  window.ControlTower = Object.freeze({ $, api, announce, csrfToken, errorText, streamEvents });

  function init() {
    setupSearch();
    showCited();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
