"""Proposals as JSON: the shape ``ct ideas --json`` and ``GET /api/v1/ideas`` return.

``citations`` carry exactly the documented keys (doc_id, path, page, section, text) plus the
document title and, when read from a card, the card id; ``path`` is the path as ingested —
the API swaps it for 부서/파일명 for callers who are not admins."""

from __future__ import annotations

from control_tower.ideation.types import Citation, Proposal


def citation_json(c: Citation) -> dict:
    return {
        "doc_id": c.doc_id,
        "title": c.title,
        "path": c.path,
        "page": c.page,
        "section": c.section,
        "text": c.text,
        **({"card": c.card} if c.card else {}),
    }


def proposal_json(p: Proposal) -> dict:
    data = p.model_dump(mode="json")
    data["citations"] = [citation_json(c) for c in p.citations]
    data["total_score"] = p.total_score
    return data
