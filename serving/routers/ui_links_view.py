"""What the link pages render from a caller's ``LinkMap``: the graph JSON for cytoscape, and
links/clusters as template rows with evidence split by side.

Why here and not in ``link_json``: the pages need the evidence grouped per card (left and
right), department colours and cluster membership as compound nodes; the JSON API shape is
the lead's and stays as it is. Paths are the caller's (``path_fn_for``): never a server path
for a non-admin, even where ``Evidence.path`` holds one.
"""

from __future__ import annotations

from control_tower.linker.types import Cluster, Link
from control_tower.registry.link_views import LinkMap
from control_tower.registry.types import SourceRef
from control_tower.registry.views import PathFn
from serving.routers.ui_registry_view import where_text

# Distinct, readable on white (node fill with dark label outside the node).
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#0b3d91", "#a6761d", "#1b9e77", "#e7298a",
    "#66a61e", "#7570b3", "#d95f02", "#4d4d4d",
)  # fmt: skip
MAX_EDGES = 400


def department_colours(departments: list[str]) -> dict[str, str]:
    return {d: PALETTE[i % len(PALETTE)] for i, d in enumerate(sorted(set(departments)))}


def graph_json(lm: LinkMap, links: list[Link], clusters: list[Cluster]) -> dict:
    """Nodes (cards, clusters as compound parents) and edges, as cytoscape elements."""
    links = links[:MAX_EDGES]
    touched = {x for lk in links for x in (lk.a, lk.b)}
    ids = [cid for cid in lm.cards if cid in touched]  # a card without a link says nothing here
    shown = set(ids)
    colours = department_colours([lm.cards[c].lead_department or "부서 미상" for c in ids])
    parent: dict[str, str] = {}
    cluster_nodes = []
    for cl in clusters:
        members = [c for c in cl.cards if c in shown and c not in parent]
        if len(members) < 2:
            continue
        for c in members:
            parent[c] = cl.id
        label = f"{cl.component} (통합 플랫폼 후보)"
        cluster_nodes.append({"data": {"id": cl.id, "label": label, "kind": "cluster"}})
    nodes = []
    for cid in ids:
        card = lm.cards[cid]
        dept = card.lead_department or "부서 미상"
        data = {
            "id": cid,
            "label": card.name or "(이름 없음)",
            "department": dept,
            "colour": colours[dept],
            "kind": "card",
        }
        if cid in parent:
            data["parent"] = parent[cid]
        nodes.append({"data": data})
    edges = [
        {
            "data": {
                "id": f"{lk.a}|{lk.b}|{lk.type}",
                "source": lk.a,
                "target": lk.b,
                "type": lk.type,
                "score": round(lk.score, 3),
            }
        }
        for lk in links
        if lk.a in shown and lk.b in shown
    ]
    legend = [{"department": d, "colour": c} for d, c in colours.items()]
    return {
        "elements": cluster_nodes + nodes + edges,
        "legend": legend,
        "cards": len(ids),
        "unlinked": len(lm.cards) - len(ids),
    }


def _source(lm: LinkMap, card_id: str, doc_id: str) -> SourceRef | None:
    card = lm.cards.get(card_id)
    return next((s for s in card.sources() if s.doc_id == doc_id), None) if card else None


def side(lm: LinkMap, link: Link, card_id: str, path: PathFn) -> dict:
    """One side of a link: the card and its evidence passages."""
    card = lm.cards.get(card_id)
    evidence = []
    for e in link.evidence:
        if e.card != card_id:
            continue
        src = _source(lm, card_id, e.doc_id)
        where = where_text(SourceRef(doc_id=e.doc_id, page=e.page, section=e.section))
        evidence.append(
            {
                "text": e.text,
                "title": src.title if src else "",
                "location": path(src) if src else "",
                "where": where,
            }
        )
    return {
        "id": card_id,
        "name": card.name if card else "",
        "department": (card.lead_department if card else "") or "",
        "evidence": evidence,
    }


def link_view(lm: LinkMap, link: Link, path: PathFn) -> dict:
    return {
        "a": link.a,
        "b": link.b,
        "type": link.type,
        "score": f"{link.score:.2f}",
        "shared": link.shared,
        "rationale": link.rationale,
        "rationale_method": link.rationale_method,
        "left": side(lm, link, link.a, path),
        "right": side(lm, link, link.b, path),
    }


def cluster_view(lm: LinkMap, cluster: Cluster) -> dict:
    members = [
        {"id": c, "name": lm.cards[c].name, "department": lm.cards[c].lead_department or ""}
        for c in cluster.cards
        if c in lm.cards
    ]
    departments = sorted({m["department"] for m in members if m["department"]})
    return {
        "id": cluster.id,
        "component": cluster.component,
        "rationale": cluster.rationale,
        "members": members,
        "departments": departments,
    }


__all__ = ["cluster_view", "department_colours", "graph_json", "link_view", "side"]
