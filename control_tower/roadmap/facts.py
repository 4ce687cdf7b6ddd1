"""Per-section fact sheets: the only thing the LLM sees of a roadmap.

Each sheet is a few compact Korean lines computed from the structure, with every number the
section may mention and ``[n]`` after facts drawn from source n. Prose validation accepts a
number only if it appears here, and a marker only if it appears here, so the sheet is both
the prompt and the whitelist. Deterministic: the same structure gives the same sheet.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from control_tower.korean import josa
from control_tower.roadmap.textfmt import (
    fmt_eok,
    fmt_num,
    initiative_refs,
    markers,
    ordered_initiatives,
    source_number,
    span,
    titles,
)
from control_tower.roadmap.types import SECTION_TITLES, Initiative, Kpi, RoadmapStructure

MAX_ITEMS = 12  # initiatives / sources listed per sheet; the rest are counted
KIND = {"card": "기존 사업", "proposal": "신규 제안", "platform": "공동 플랫폼"}
MARKER = re.compile(r"\[(\d+)\]")


class SectionFacts(BaseModel):
    key: str
    title: str
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def citations(self) -> list[int]:
        """The source numbers this section may cite: the markers in its own facts."""
        return sorted({int(n) for n in MARKER.findall(self.text)})


def kpi_text(k: Kpi) -> str:
    return f"{k.name}: {k.baseline}({k.baseline_year}년) → {k.target}({k.target_year}년)"


def _kpi_ref(s: RoadmapStructure, k: Kpi) -> str:
    n = source_number(s, k.source) if k.source is not None else None
    return f"[{n}]" if n else ""


def counts(d: dict[str, int | float], unit: str) -> str:
    return ", ".join(f"{k} {fmt_num(v)}{unit}" for k, v in d.items()) or "없음"


def _more(items: list, label: str) -> list[str]:
    return [f"- 그 밖의 {label} {len(items) - MAX_ITEMS}개"] if len(items) > MAX_ITEMS else []


def _ini_line(s: RoadmapStructure, ini: Initiative, *, detail: bool) -> str:
    head = f"- {ini.title}({', '.join(ini.departments)}, {KIND[ini.kind]}"
    head += f", {ini.phase}, {span(ini.start_year, ini.end_year)}, {fmt_eok(ini.budget_total)})"
    if not detail:
        return f"{head}: {ini.summary} {markers(initiative_refs(s, ini))}".rstrip()
    deps = titles(s, ini.depends_on)
    body = [ini.summary] + ([f"선행 과제: {', '.join(deps)}"] if deps else [])
    body += [f"성과지표 {kpi_text(k)}" for k in ini.kpis]
    return f"{head}: {' / '.join(body)} {markers(initiative_refs(s, ini))}".rstrip()


def _common(s: RoadmapStructure) -> list[str]:
    g = s.guidance
    return [
        f"로드맵: {s.title}",
        f"기간: {span(g.from_year, g.to_year)}({len(g.years)}년)",
        f"비전: {s.vision}",
    ]


def _background(s: RoadmapStructure) -> list[str]:
    st, inis = s.stats, ordered_initiatives(s)
    out = _common(s) + [
        f"등록된 AI·정보화 사업 {st.cards}건, 부서 {st.departments}개, 사업 간 관계 "
        f"{sum(st.links.values())}건, 공동 활용 묶음 {st.clusters}개",
        f"추진과제 {len(inis)}개, 총 사업비 {fmt_eok(s.budget.total_eok)}",
        "부서 문서에서 확인된 추진 사업:",
    ]
    return out + [_ini_line(s, i, detail=False) for i in inis[:MAX_ITEMS]] + _more(inis, "과제")


def _status(s: RoadmapStructure) -> list[str]:
    st = s.stats
    cards = [i for i in ordered_initiatives(s) if i.kind != "proposal"]
    return (
        [
            f"등록 사업 {st.cards}건(부서 {st.departments}개), 등록 사업 예산 합계 "
            f"{fmt_eok(st.budget_total_eok)}",
            f"상태별: {counts(st.by_status, '건')}",
            f"부서별: {counts(st.by_department, '건')}",
            f"기술별: {counts(st.by_technology, '건')}",
            f"사업 간 관계: {counts(st.links, '건')}, 공동 활용 묶음 {st.clusters}개",
            "기존 사업 현황:",
        ]
        + [_ini_line(s, i, detail=False) for i in cards[:MAX_ITEMS]]
        + _more(cards, "사업")
    )


def _vision(s: RoadmapStructure) -> list[str]:
    out = _common(s)
    for g in s.goals:
        out.append(f"목표: {g.title} — " + "; ".join(kpi_text(k) for k in g.kpis))
    for n, p in enumerate(s.pillars, start=1):
        out.append(f"추진전략 {n}. {p.name}({p.goal}): {', '.join(titles(s, p.initiatives))}")
    return out


def _initiatives(s: RoadmapStructure) -> list[str]:
    inis = ordered_initiatives(s)
    out = [f"추진과제 {len(inis)}개(추진 순서대로):"]
    return out + [_ini_line(s, i, detail=True) for i in inis[:MAX_ITEMS]] + _more(inis, "과제")


def _phases(s: RoadmapStructure) -> list[str]:
    out = [f"기간: {span(s.guidance.from_year, s.guidance.to_year)}, 단계 {len(s.phases)}개"]
    for p in s.phases:
        out.append(
            f"{p.name}({span(p.start_year, p.end_year)}): {', '.join(titles(s, p.initiatives))}"
        )
    after: dict[str, list[str]] = {}
    for ini in ordered_initiatives(s):
        if ini.depends_on:
            after.setdefault(", ".join(titles(s, ini.depends_on)), []).append(ini.title)
    for deps, later in after.items():
        out.append(f"선후 관계: {josa(deps, '을', '를')} 먼저 추진한 뒤 {', '.join(later)} 추진")
    fixed = [i.title for i in s.initiatives if i.fixed]
    if fixed:
        out.append(f"진행 중이라 기간이 정해진 사업: {', '.join(fixed)}")
    return out


def _budget(s: RoadmapStructure) -> list[str]:
    b = s.budget
    out = [
        f"총 사업비: {fmt_eok(b.total_eok)}(단위 억원)",
        "연도별: " + ", ".join(f"{y}년 {fmt_eok(v)}" for y, v in sorted(b.by_year.items())),
        "부서별: " + ", ".join(f"{d} {fmt_eok(v)}" for d, v in b.by_department.items()),
    ]
    if b.ceiling_eok is not None:
        out.append(f"연도별 예산 한도: {fmt_eok(b.ceiling_eok)}")
    for ini in ordered_initiatives(s)[:MAX_ITEMS]:
        out.append(
            f"- {ini.title}: {fmt_eok(ini.budget_total)}({ini.budget_basis or '산정 근거 없음'})"
        )
    return out + [f"조정 사항: {n}" for n in b.notes]


def _governance(s: RoadmapStructure) -> list[str]:
    g = s.governance
    out = [f"추진체계: {g.committee}(구성: {', '.join(g.members)}), 전담부서 {g.lead_unit}"]
    out += [f"부서별 담당: {d} — {role}" for d, role in g.department_leads.items()]
    out += [f"운영 방식: {', '.join(g.cadence)}"] if g.cadence else []
    kpis = [k for goal in s.goals for k in goal.kpis] + [k for i in s.initiatives for k in i.kpis]
    out.append(f"성과지표 {len(kpis)}개, 예:")
    out += [f"- {kpi_text(k)} {_kpi_ref(s, k)}".rstrip() for k in kpis[:4]]
    total = sum(t.headcount for t in s.training)
    out.append(f"직원 AI 역량 강화 교육 {len(s.training)}개 과정, 연인원 {fmt_num(total)}명:")
    out += [
        f"- {t.course}({t.department}, {t.audience} {fmt_num(t.headcount)}명, {t.timing})"
        for t in s.training[:MAX_ITEMS]
    ]
    return out + [f"위험: {r.risk} → 대응: {r.mitigation}" for r in s.risks]


def _appendix(s: RoadmapStructure) -> list[str]:
    out = [f"출처 문서 {len(s.sources)}건(각 추진과제의 근거 문서):"]
    out += [f"- {src.title} [{n}]" for n, src in enumerate(s.sources[:MAX_ITEMS], start=1)]
    return out + _more(s.sources, "문서")


BUILDERS = {
    "background": _background,
    "status": _status,
    "vision": _vision,
    "initiatives": _initiatives,
    "phases": _phases,
    "budget": _budget,
    "governance": _governance,
    "appendix": _appendix,
}


def section_facts(structure: RoadmapStructure, key: str) -> SectionFacts:
    if key not in BUILDERS:
        raise ValueError(f"알 수 없는 절입니다: {key} (가능: {', '.join(BUILDERS)})")
    return SectionFacts(key=key, title=SECTION_TITLES[key], lines=BUILDERS[key](structure))
