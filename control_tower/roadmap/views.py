"""The roadmap as JSON, in the shape ``ct roadmap draft --json`` and the API publish.

The CLI and the API print the same dict; the stable keys the issue names come first
(``draft_id``, ``version``, ``phases``, ``initiatives``, ``budget``, ``training``, ``checks``),
with the rest of the structure and the sections after them.
"""

from __future__ import annotations

from control_tower.roadmap.types import Initiative, RoadmapVersion


def _source(src) -> dict:  # noqa: ANN001 - SourceLink
    return {
        "card": src.card,
        "proposal": src.proposal,
        "doc_id": src.doc_id,
        "title": src.title,
        "path": src.path,
        "page": src.page,
        "section": src.section,
    }


def initiative_json(ini: Initiative) -> dict:
    return {
        "id": ini.id,
        "title": ini.title,
        "kind": ini.kind,
        "departments": ini.departments,
        "pillar": ini.pillar,
        "phase": ini.phase,
        "start_year": ini.start_year,
        "end_year": ini.end_year,
        "depends_on": ini.depends_on,
        "budget_by_year": {str(y): v for y, v in sorted(ini.budget_by_year.items())},
        "budget_total_eok": ini.budget_total,
        "budget_basis": ini.budget_basis,
        "technologies": ini.technologies,
        "kpis": [k.model_dump(mode="json", exclude={"source"}) for k in ini.kpis],
        "cards": ini.cards,
        "sources": [_source(s) for s in ini.sources],
    }


def version_json(v: RoadmapVersion, *, sections: bool = True) -> dict:
    s = v.structure
    titles = {i.id: i.title for i in s.initiatives}
    out = {
        "draft_id": v.draft_id,
        "version": v.version,
        "title": s.title,
        "created_at": v.created_at.isoformat(),
        "created_by": v.created_by,
        "note": v.note,
        "phases": [
            {
                "name": p.name,
                "start_year": p.start_year,
                "end_year": p.end_year,
                "initiatives": [{"id": i, "title": titles.get(i, i)} for i in p.initiatives],
            }
            for p in s.phases
        ],
        "initiatives": [initiative_json(i) for i in s.initiatives],
        "order": s.order,
        "budget": {
            "by_year": {str(y): x for y, x in s.budget.by_year.items()},
            "by_department": s.budget.by_department,
            "by_year_department": {str(y): r for y, r in s.budget.by_year_department.items()},
            "total_eok": s.budget.total_eok,
            "ceiling_eok": s.budget.ceiling_eok,
            "notes": s.budget.notes,
        },
        "training": [t.model_dump(mode="json") for t in s.training],
        "checks": [c.model_dump(mode="json") for c in v.checks],
        "vision": s.vision,
        "goals": [g.model_dump(mode="json") for g in s.goals],
        "pillars": [p.model_dump(mode="json") for p in s.pillars],
        "governance": s.governance.model_dump(mode="json"),
        "risks": [r.model_dump(mode="json") for r in s.risks],
        "stats": s.stats.model_dump(mode="json"),
        "sources": [{"n": n, **_source(src)} for n, src in enumerate(s.sources, 1)],
        "guidance": s.guidance.model_dump(mode="json"),
    }
    if sections:
        out["sections"] = {k: sec.model_dump(mode="json") for k, sec in v.sections.items()}
    return out
