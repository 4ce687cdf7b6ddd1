"""The deterministic fallback prose of each section, clearly marked as such.

Used when the LLM is unreachable or its text failed validation twice. Sentences are filled
from the structure with the same formatters as the fact sheets (so every number here is one
the facts hold) and the particles follow the last syllable. The first paragraph is the
marker line, which the document turns into a visible note.
"""

from __future__ import annotations

from control_tower.korean import josa, particle
from control_tower.roadmap.facts import KIND, counts, kpi_text
from control_tower.roadmap.textfmt import (
    fmt_eok,
    fmt_num,
    initiative_refs,
    markers,
    ordered_initiatives,
    span,
    titles,
)
from control_tower.roadmap.types import RoadmapStructure

TEMPLATE_MARKER = (
    "※ 아래 문안은 구조 정보로 자동 작성한 기본 문안입니다(LLM 미사용 또는 검증 실패)."
)


def _background(s: RoadmapStructure) -> list[str]:
    g, st, inis = s.guidance, s.stats, ordered_initiatives(s)
    refs = markers(sorted({n for i in inis for n in initiative_refs(s, i)}))
    return [
        f"시는 부서별로 {st.cards}건의 AI·정보화 사업을 추진하거나 계획하고 있으며, 사업 간 "
        f"관계 {sum(st.links.values())}건과 공동 활용 묶음 {st.clusters}개가 확인되었습니다.",
        f"이에 {span(g.from_year, g.to_year)} {len(g.years)}년간 "
        f"「{s.vision}」{particle(s.vision, '을', '를')} 비전으로 {len(inis)}개 추진과제, "
        f"총 {fmt_eok(s.budget.total_eok)} 규모의 중장기 로드맵을 수립합니다. {refs}".rstrip(),
    ]


def _status(s: RoadmapStructure) -> list[str]:
    st = s.stats
    return [
        f"현재 {st.departments}개 부서에서 {st.cards}건의 사업이 등록되어 있으며, 등록 사업 "
        f"예산은 모두 {fmt_eok(st.budget_total_eok)}입니다. 상태별로는 "
        f"{counts(st.by_status, '건')}입니다.",
        f"부서별로는 {counts(st.by_department, '건')}, 기술별로는 "
        f"{counts(st.by_technology, '건')}입니다.",
    ]


def _vision(s: RoadmapStructure) -> list[str]:
    goals = "; ".join(f"{g.title}({', '.join(kpi_text(k) for k in g.kpis)})" for g in s.goals)
    pillars = ", ".join(f"「{p.name}」" for p in s.pillars)
    out = [f"비전은 「{s.vision}」입니다."]
    out += [f"목표는 {goals}입니다."] if goals else []
    return out + ([f"추진전략은 {pillars}입니다."] if pillars else [])


def _initiatives(s: RoadmapStructure) -> list[str]:
    out = []
    for ini in ordered_initiatives(s):
        deps = titles(s, ini.depends_on)
        after = f" {', '.join(deps)} 이후에 추진하며," if deps else ""
        out.append(
            f"「{ini.title}」{particle(ini.title, '은', '는')} {', '.join(ini.departments)} 소관 "
            f"{KIND[ini.kind]}{particle(KIND[ini.kind], '으로', '로')},{after} "
            f"{span(ini.start_year, ini.end_year)}에 {fmt_eok(ini.budget_total)}을 투입합니다. "
            f"{ini.summary} {markers(initiative_refs(s, ini))}".rstrip()
        )
    return out


def _phases(s: RoadmapStructure) -> list[str]:
    out = []
    for p in s.phases:
        names = ", ".join(titles(s, p.initiatives)) or "신규 과제 없이 앞 단계 과제"
        out.append(
            f"{p.name}({span(p.start_year, p.end_year)})에는 {josa(names, '을', '를')} 추진합니다."
        )
    platforms = ", ".join(i.title for i in s.initiatives if i.kind == "platform")
    if platforms:
        out.append(
            f"공동 플랫폼({platforms})을 먼저 마련한 뒤 이를 활용하는 과제를 "
            "추진하도록 순서를 정했습니다."
        )
    return out


def _budget(s: RoadmapStructure) -> list[str]:
    b = s.budget
    years = ", ".join(f"{y}년 {fmt_eok(v)}" for y, v in sorted(b.by_year.items()))
    out = [f"총 소요 예산은 {fmt_eok(b.total_eok)}이며, 연도별로는 {years}입니다."]
    if b.ceiling_eok is not None:
        over = [f"{y}년" for y, v in sorted(b.by_year.items()) if v > b.ceiling_eok + 1e-9]
        out.append(
            f"연도별 한도 {fmt_eok(b.ceiling_eok)}를 넘는 연도가 있습니다: {', '.join(over)}."
            if over
            else f"모든 연도가 연간 한도 {fmt_eok(b.ceiling_eok)} 안에서 편성되었습니다."
        )
    return out + b.notes


def _governance(s: RoadmapStructure) -> list[str]:
    g, total = s.governance, sum(t.headcount for t in s.training)
    return [
        f"{josa(g.committee, '이', '가')} 로드맵을 총괄하고 {josa(g.lead_unit, '이', '가')} "
        f"전담부서로서 과제별 추진 상황과 성과지표를 관리합니다.",
        f"전 직원 AI 역량 강화를 위해 {len(s.training)}개 교육 과정에 연인원 "
        f"{fmt_num(total)}명의 교육을 계획했습니다.",
    ]


def _appendix(s: RoadmapStructure) -> list[str]:
    return [f"이 로드맵이 근거로 삼은 부서 문서 {len(s.sources)}건의 목록입니다."]


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


def template_text(structure: RoadmapStructure, key: str) -> str:
    """The marked fallback text of section ``key`` (paragraphs separated by blank lines)."""
    if key not in BUILDERS:
        raise ValueError(f"알 수 없는 절입니다: {key}")
    return "\n\n".join([TEMPLATE_MARKER, *BUILDERS[key](structure)])
