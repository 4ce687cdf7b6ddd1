// POST a JSON body and read the Server-Sent Events answer as it arrives (the AI 비서 page).
// XMLHttpRequest, not EventSource (which cannot POST) nor a fetch() body reader (Chromium
// reports those as aborted for no-store streams, see app.js streamEvents). Exposed as
// window.ControlTowerChat for chat.js, which loads after it.
(() => {
  "use strict";

  const { csrfToken, errorText } = window.ControlTower;

  // SSE blocks out of a growing response text; calls onEvent(type, parsedData).
  function sseParser(onEvent) {
    let buf = "";
    return (chunk) => {
      buf += chunk;
      const hold = buf.endsWith("\r") ? "\r" : "";
      let text = (hold ? buf.slice(0, -1) : buf).replace(/\r\n?/g, "\n");
      let end;
      while ((end = text.indexOf("\n\n")) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        let event = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (!line || line.startsWith(":")) continue; // keep-alive pings
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = val;
          else if (field === "data") data.push(val);
        }
        if (data.length) {
          let parsed = {};
          try { parsed = JSON.parse(data.join("\n")); } catch (_) { /* not JSON */ }
          onEvent(event, parsed);
        }
      }
      buf = text + hold;
    };
  }

  function postStream(url, body, onEvent) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      const feed = sseParser(onEvent);
      let seen = 0;
      const read = () => {
        const text = xhr.responseText;
        feed(text.slice(seen));
        seen = text.length;
      };
      xhr.open("POST", url);
      xhr.setRequestHeader("Content-Type", "application/json");
      xhr.setRequestHeader("Accept", "text/event-stream");
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      xhr.onprogress = () => { if (xhr.status === 200) read(); };
      xhr.onload = () => {
        if (xhr.status !== 200) {
          let parsed = null;
          try { parsed = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
          reject(new Error(errorText(xhr.status, parsed)));
          return;
        }
        read();
        resolve();
      };
      xhr.onerror = () => reject(new Error("서버와 연결이 끊겼습니다. 잠시 후 다시 시도해 주세요."));
      xhr.send(JSON.stringify(body));
    });
  }

  window.ControlTowerChat = Object.freeze({ postStream, sseParser });
})();
