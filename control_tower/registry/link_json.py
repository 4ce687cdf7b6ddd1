"""Links and clusters as JSON (``ct links --json``, ``GET /api/v1/links``)."""

from __future__ import annotations

from control_tower.linker.types import Cluster, Link
from control_tower.registry.types import ProjectCard
from control_tower.registry.views import PathFn, raw_path


def link_json(link: Link, cards: dict[str, ProjectCard], path: PathFn = raw_path) -> dict:
    def name(card_id: str) -> str:
        card = cards.get(card_id)
        return card.name if card else ""

    evidence = []
    for e in link.evidence:
        card = cards.get(e.card)
        src = next((s for s in card.sources() if s.doc_id == e.doc_id), None) if card else None
        evidence.append(
            {
                "card": e.card,
                "doc_id": e.doc_id,
                "path": path(src) if src else e.path,
                "page": e.page,
                "section": e.section,
                "text": e.text,
            }
        )
    return {
        "a": link.a,
        "b": link.b,
        "a_name": name(link.a),
        "b_name": name(link.b),
        "type": link.type,
        "score": round(link.score, 4),
        "shared": link.shared,
        "evidence": evidence,
        "rationale": link.rationale,
        "rationale_method": link.rationale_method,
    }


def cluster_json(cluster: Cluster, cards: dict[str, ProjectCard]) -> dict:
    return {
        "id": cluster.id,
        "cards": cluster.cards,
        "names": [cards[c].name for c in cluster.cards if c in cards],
        "component": cluster.component,
        "rationale": cluster.rationale,
    }
