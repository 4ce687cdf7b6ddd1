// The link map (/links): cards as nodes coloured by department, clusters (통합 플랫폼 후보) as
// dashed compound boxes, 중복/연계/선후 as distinct edge styles (선후 with an arrow from the
// prerequisite to the dependent). Clicking an edge, or "근거 보기" in the table below, loads
// the link's evidence panel (/links/detail, an htmx partial that then fetches its rationale).
// The graph data is JSON embedded in the page; cytoscape is served from vendor/ (no CDN).
(() => {
  "use strict";

  const EDGE_COLOUR = { 중복: "#c0262d", 연계: "#2b63c9", 선후: "#1d7a3a" };

  function openLink(a, b, type) {
    const panel = document.getElementById("link-panel");
    if (!panel || !window.htmx) return;
    const q = new URLSearchParams({ a, b, type });
    window.htmx.ajax("GET", `/links/detail?${q}`, { target: panel, swap: "innerHTML" }).then(() => {
      panel.focus({ preventScroll: true });
    });
  }

  function style() {
    return [
      { selector: "node[kind = 'card']", style: {
        "background-color": "data(colour)", label: "data(label)", color: "#1b2230",
        "font-size": 10, "text-wrap": "ellipsis", "text-max-width": 120, "text-valign": "bottom",
        "text-margin-y": 3, width: 18, height: 18, "border-width": 1, "border-color": "#ffffff",
        "min-zoomed-font-size": 7, "text-background-color": "#ffffff", "text-background-opacity": 0.7,
        "font-family": "Pretendard Variable, Pretendard, sans-serif",
      } },
      { selector: "node[kind = 'cluster']", style: {
        "background-color": "#f4f6f9", "background-opacity": 0.6, "border-style": "dashed",
        "border-width": 2, "border-color": "#8a94a6", label: "data(label)", "text-valign": "top",
        "font-size": 11, "font-weight": 700, color: "#4d5668", padding: 12, shape: "round-rectangle",
        "min-zoomed-font-size": 6,
        "font-family": "Pretendard Variable, Pretendard, sans-serif",
      } },
      { selector: "edge", style: {
        width: "mapData(score, 0.3, 1, 1, 5)", "curve-style": "bezier", opacity: 0.75,
        "line-color": (e) => EDGE_COLOUR[e.data("type")] || "#7f7f7f",
        "target-arrow-color": (e) => EDGE_COLOUR[e.data("type")] || "#7f7f7f",
      } },
      { selector: "edge[type = '중복']", style: { "line-style": "solid", width: "mapData(score, 0.3, 1, 3, 7)", opacity: 0.9 } },
      { selector: "edge[type = '연계']", style: { "line-style": "dashed" } },
      { selector: "edge[type = '선후']", style: { "line-style": "dotted", "target-arrow-shape": "triangle", "arrow-scale": 1.2 } },
      { selector: "edge:selected", style: { opacity: 1, "underlay-color": "#ffe66b", "underlay-opacity": 0.9, "underlay-padding": 4 } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#c2410c" } },
      { selector: ".faded", style: { opacity: 0.15 } },
    ];
  }

  function init() {
    const box = document.getElementById("linkmap");
    const dataEl = document.getElementById("linkmap-data");
    const table = document.querySelector("[data-testid='links-table']");
    if (table) {
      table.addEventListener("click", (ev) => {
        const button = ev.target.closest("button[data-open-link]");
        if (button) openLink(button.dataset.a, button.dataset.b, button.dataset.type);
      });
    }
    if (!box || !dataEl || typeof window.cytoscape !== "function") return;
    const graph = JSON.parse(dataEl.textContent);
    // Start from a circle (deterministic), then let the force layout settle it.
    const cards = graph.elements.filter((el) => el.data.kind === "card");
    const r = 40 * Math.max(4, Math.sqrt(cards.length));
    cards.forEach((el, i) => {
      const t = (2 * Math.PI * i) / Math.max(1, cards.length);
      el.position = { x: r * Math.cos(t), y: r * Math.sin(t) };
    });
    const cy = window.cytoscape({
      container: box,
      elements: graph.elements,
      style: style(),
      layout: {
        name: "cose", animate: false, randomize: false, padding: 20, numIter: 1500,
        nodeRepulsion: () => 400000, idealEdgeLength: () => 110, edgeElasticity: () => 100,
        nestingFactor: 1.2, gravity: 60, componentSpacing: 80, nodeOverlap: 12,
      },
      wheelSensitivity: 0.3,
      minZoom: 0.2,
      maxZoom: 3,
    });
    box.ctCy = cy; // for the browser tests (find an edge's position on the canvas)
    cy.on("tap", "edge", (ev) => {
      const e = ev.target;
      cy.elements().removeClass("faded");
      openLink(e.data("source"), e.data("target"), e.data("type"));
    });
    cy.on("tap", "node[kind = 'card']", (ev) => {
      const n = ev.target;
      cy.elements().addClass("faded");
      n.closedNeighborhood().removeClass("faded");
      n.ancestors().removeClass("faded");
    });
    cy.on("tap", (ev) => { if (ev.target === cy) cy.elements().removeClass("faded"); });
    cy.on("dbltap", "node[kind = 'card']", (ev) => { window.location.href = `/registry/${encodeURIComponent(ev.target.id())}`; });
    box.dataset.ready = "true";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
