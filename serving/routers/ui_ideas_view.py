"""How a proposal looks on the ideas page: scores with their reasons, data needs, related
cards, KPIs, prerequisites, risks and citations with 부서/파일명 locations.

Why a module of its own: the page and the decision box (an HTMX partial) show the same
proposal; server paths are replaced here, once, as the ideas API does (admins see them).
"""

from __future__ import annotations

from control_tower.domain import Principal, Role, name_key
from control_tower.ideation.types import CRITERIA, Citation, Proposal
from serving.routers.ui_registry_view import number


def _citation(c: Citation, locate) -> dict:  # noqa: ANN001
    where = " · ".join(x for x in (c.page and f"{c.page}쪽", c.section) if x)
    return {"title": c.title, "location": locate(c), "where": where, "text": c.text,
            "card": c.card}  # fmt: skip


def _locator(principal: Principal, store):  # noqa: ANN001, ANN202
    if principal.is_admin:
        return lambda c: c.path
    from control_tower.names import display_location

    departments = {r.doc_id: r.department for r in store.list_documents()}
    return lambda c: display_location(departments.get(c.doc_id, ""), c.path, c.title)


def may_decide(principal: Principal, p: Proposal) -> bool:
    """As ``service.decide``: the AI division, admins, and the department's own head."""
    if principal.is_admin or Role.ai_division in principal.roles:
        return True
    own = (
        principal.department
        and p.departments
        and name_key(principal.department) == name_key(p.departments[0])
    )
    return bool(own and Role.dept_head in principal.roles)


def proposal_view(p: Proposal, principal: Principal, store) -> dict:  # noqa: ANN001
    locate = _locator(principal, store)
    return {
        "id": p.id,
        "title": p.title,
        "kind": p.kind,
        "departments": p.departments,
        "problem": p.problem,
        "approach": p.approach,
        "technique": p.technique,
        "phase": p.phase,
        "cost": f"{number(p.cost_eok)}억원" if p.cost_eok else "",
        "scores": [
            {"name": c, "value": number(p.scores.get(c, 0.0)), "reasons": p.reasons.get(c, [])}
            for c in CRITERIA
        ],  # fmt: skip
        "total": number(p.total_score),
        "data": [
            {
                "name": d.name,
                "available": d.available,
                "cards": d.cards,
                "citation": _citation(d.citation, locate) if d.citation else None,
            }
            for d in p.data
        ],  # fmt: skip
        "related": [r.model_dump() for r in p.related_cards],
        "kpis": p.kpis,
        "prerequisites": p.prerequisites,
        "risks": p.risks,
        "citations": [_citation(c, locate) for c in p.citations],
        "verdict": p.review_verdict,
        "status": p.status,
        "decided_by": p.decided_by,
        "can_decide": may_decide(principal, p),
    }


__all__ = ["may_decide", "proposal_view"]
