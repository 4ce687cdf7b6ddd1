"""How a roadmap version looks on the workspace page: tables of the computed structure
(phases, initiatives with their dependencies, budget by year and by department, KPIs,
training), the checks, and the sections with how each was written.

Why a module of its own: the router stays a thin layer over ``control_tower.roadmap.service``,
and every number on the page is formatted once, here (억원 with the registry's ``number``).
Server paths never reach a non-admin: a source shows its title, 쪽/절 and its 부서/파일명
location (a server path cut to the file name, as the export's appendix does).
"""

from __future__ import annotations

from control_tower.domain import Principal
from control_tower.roadmap.assemble import display_path
from control_tower.roadmap.types import SECTION_KEYS, RoadmapVersion, SourceLink
from serving.routers.ui_registry_view import number

KIND_LABELS = {"card": "기존 사업", "proposal": "신규 제안", "platform": "공통 플랫폼"}
METHOD_LABELS = {"llm": "LLM 문안", "template": "기본 문안", "edit": "직접 수정"}
PHASES = ("단기", "중기", "장기")


def eok(value: float | None) -> str:
    return "" if value is None else f"{number(value)}억원"


def source_view(src: SourceLink, principal: Principal) -> dict:
    where = " · ".join(x for x in (src.page and f"{src.page}쪽", src.section) if x)
    shown = src.path if principal.is_admin else display_path(src.path)  # as the export does
    return {"title": src.title or src.path, "where": where, "location": shown,
            "card": src.card, "proposal": src.proposal}  # fmt: skip


def _kpi(k) -> dict:  # noqa: ANN001 - a Kpi
    return {"name": k.name, "baseline": k.baseline, "baseline_year": k.baseline_year,
            "target": k.target, "target_year": k.target_year}  # fmt: skip


def initiatives(v: RoadmapVersion, principal: Principal) -> list[dict]:
    s = v.structure
    titles = {i.id: i.title for i in s.initiatives}
    years = s.guidance.years
    rank = {iid: n for n, iid in enumerate(s.order)}
    rows = []
    for i in sorted(s.initiatives, key=lambda i: rank.get(i.id, len(rank))):
        rows.append(
            {
                "id": i.id,
                "title": i.title,
                "kind": KIND_LABELS.get(i.kind, i.kind),
                "departments": i.departments,
                "pillar": i.pillar,
                "phase": i.phase,
                "period": f"{i.start_year}–{i.end_year}",
                "fixed": i.fixed,
                "depends": [{"id": d, "title": titles.get(d, d)} for d in i.depends_on],
                "budget": [{"year": y, "value": i.budget_by_year.get(y)} for y in years],
                "budget_input": {
                    y: number(i.budget_by_year[y]).replace(",", "")
                    for y in years
                    if y in i.budget_by_year
                },  # fmt: skip
                "total": eok(i.budget_total),
                "basis": i.budget_basis,
                "summary": i.summary,
                "technologies": i.technologies,
                "kpis": [_kpi(k) for k in i.kpis],
                "sources": [source_view(x, principal) for x in i.sources],
            }
        )
    return rows


def budget(v: RoadmapVersion) -> dict:
    b, years = v.structure.budget, v.structure.guidance.years
    departments = sorted(b.by_department, key=lambda d: -b.by_department[d])
    return {
        "years": years,
        "by_year": [
            {
                "year": y,
                "value": eok(b.by_year.get(y, 0.0)),
                "over": b.ceiling_eok is not None and b.by_year.get(y, 0.0) > b.ceiling_eok + 1e-6,
            }
            for y in years
        ],  # fmt: skip
        "matrix": [
            {
                "department": d,
                "total": eok(b.by_department[d]),
                "cells": [number(b.by_year_department.get(y, {}).get(d)) for y in years],
            }
            for d in departments
        ],  # fmt: skip
        "total": eok(b.total_eok),
        "ceiling": eok(b.ceiling_eok),
        "notes": b.notes,
    }


def sections(v: RoadmapVersion) -> list[dict]:
    out = []
    for key in SECTION_KEYS:
        sec = v.sections.get(key)
        if sec is None:
            continue
        paragraphs = [p.strip() for p in sec.text.split("\n\n") if p.strip()]
        out.append({"key": key, "title": sec.title, "text": sec.text, "paragraphs": paragraphs,
                    "method": sec.method, "method_label": METHOD_LABELS.get(sec.method, sec.method),
                    "note": sec.note, "by": sec.by, "at": sec.at})  # fmt: skip
    return out


def workspace(v: RoadmapVersion, principal: Principal) -> dict:
    """Everything the workspace template shows of one version."""
    s = v.structure
    titles = {i.id: i.title for i in s.initiatives}
    return {
        "v": v,
        "title": s.title,
        "vision": s.vision,
        "guidance": s.guidance,
        "years": s.guidance.years,
        "phases": [
            {
                "name": p.name,
                "period": f"{p.start_year}–{p.end_year}",
                "initiatives": [titles.get(i, i) for i in p.initiatives],
            }
            for p in s.phases
        ],  # fmt: skip
        "phase_names": [p.name for p in s.phases] or list(PHASES),
        "initiatives": initiatives(v, principal),
        "budget": budget(v),
        "goals": [{"title": g.title, "kpis": [_kpi(k) for k in g.kpis]} for g in s.goals],
        "pillars": s.pillars,
        "training": s.training,
        "governance": s.governance,
        "risks": s.risks,
        "checks": v.checks,
        "failed": sum(1 for c in v.checks if not c.ok),
        "sections": sections(v),
        "templates": sum(1 for x in v.sections.values() if x.method == "template"),
    }


__all__ = ["KIND_LABELS", "METHOD_LABELS", "eok", "workspace"]
