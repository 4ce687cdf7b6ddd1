"""The document's tables, each computed from the structure (never from the prose).

Every sum printed here is summed from the cells of the same table, so a budget table adds
up by construction; whether it equals ``budget.total_eok`` is the structure's own check.
Numbers use the fact sheets' formatter, so prose and tables print the same value the same way.
"""

from __future__ import annotations

from control_tower.roadmap.document import Table
from control_tower.roadmap.facts import KIND, kpi_text
from control_tower.roadmap.textfmt import (
    fmt_eok,
    fmt_num,
    initiative_refs,
    ordered_initiatives,
    span,
    titles,
)
from control_tower.roadmap.types import Initiative, Kpi, RoadmapStructure

MARK = "●"


def _count_table(title: str, label: str, counts: dict[str, int]) -> Table:
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    body = [[k, fmt_num(v)] for k, v in rows] + [["합계", fmt_num(sum(counts.values()))]]
    return Table(title=title, header=[label, "사업 수"], rows=body, numeric=[1])


def stats_tables(s: RoadmapStructure) -> list[Table]:
    st = s.stats
    return [
        _count_table("부서별 등록 사업", "부서", st.by_department),
        _count_table("상태별 등록 사업", "상태", st.by_status),
        _count_table("기술별 등록 사업(중복 집계)", "기술", st.by_technology),
    ]


def _kpi_row(k: Kpi, owner: str) -> list[str]:
    return [k.name, f"{k.baseline}({k.baseline_year}년)", f"{k.target}({k.target_year}년)", owner]


def goal_kpi_table(s: RoadmapStructure) -> Table:
    rows = [_kpi_row(k, g.title) for g in s.goals for k in g.kpis]
    return Table(title="목표별 성과지표", header=["지표", "기준값(연도)", "목표값(연도)", "목표"],
                 rows=rows)  # fmt: skip


def initiative_card(s: RoadmapStructure, ini: Initiative) -> Table:
    years = ", ".join(f"{y}년 {fmt_num(v)}" for y, v in sorted(ini.budget_by_year.items()))
    budget = fmt_eok(ini.budget_total) + (f" ({years})" if years else "")
    budget += f" · {ini.budget_basis}" if ini.budget_basis else ""
    refs = initiative_refs(s, ini)
    rows = [
        ["내용", ini.summary or "-"],
        ["부서", ", ".join(ini.departments)],
        ["구분", KIND[ini.kind] + (" (진행 중, 기간 고정)" if ini.fixed else "")],
        ["기간", span(ini.start_year, ini.end_year)],
        ["단계", ini.phase],
        ["예산", budget],
        ["선행과제", ", ".join(titles(s, ini.depends_on)) or "없음"],
        ["KPI", "; ".join(kpi_text(k) for k in ini.kpis) or "없음"],
        ["출처", ", ".join(f"[{n}] {s.sources[n - 1].title}" for n in refs) or "없음"],
    ]
    return Table(title=f"과제 카드: {ini.title}", header=["항목", "내용"], rows=rows)


def phase_table(s: RoadmapStructure) -> Table:
    rows = [[p.name, span(p.start_year, p.end_year), ", ".join(titles(s, p.initiatives)) or "-"]
            for p in s.phases]  # fmt: skip
    return Table(title="단계별 추진과제", header=["단계", "기간", "추진과제"], rows=rows)


def _years(s: RoadmapStructure) -> list[int]:
    spent = {y for i in s.initiatives for y in i.budget_by_year}
    return sorted(set(s.guidance.years) | spent)


def timeline_table(s: RoadmapStructure) -> Table:
    years = s.guidance.years
    rows = [[i.title] + [MARK if i.start_year <= y <= i.end_year else "" for y in years]
            for i in ordered_initiatives(s)]  # fmt: skip
    return Table(title="연도별 추진 일정", header=["추진과제", *[f"{y}년" for y in years]],
                 rows=rows)  # fmt: skip


def _cell(value: float) -> str:
    return fmt_num(value) if value else "-"


def _sum_table(title: str, label: str, lines: dict[str, dict[int, float]], years: list[int]):
    rows = [[name] + [_cell(by.get(y, 0.0)) for y in years] + [fmt_num(sum(by.values()))]
            for name, by in lines.items()]  # fmt: skip
    col = [sum(by.get(y, 0.0) for by in lines.values()) for y in years]
    rows.append(["합계", *map(fmt_num, col), fmt_num(sum(col))])
    header = [label, *[f"{y}년" for y in years], "합계"]
    return Table(title=title, header=header, rows=rows, numeric=list(range(1, len(header))))


def budget_table(s: RoadmapStructure) -> Table:
    lines = {i.title: i.budget_by_year for i in ordered_initiatives(s)}
    return _sum_table("연도별·과제별 소요 예산(단위: 억원)", "추진과제", lines, _years(s))


def department_budget_table(s: RoadmapStructure) -> Table:
    b = s.budget
    if not b.by_year_department:
        rows = [[d, fmt_num(v)] for d, v in b.by_department.items()]
        rows.append(["합계", fmt_num(sum(b.by_department.values()))])
        return Table(title="부서별 소요 예산(단위: 억원)", header=["부서", "합계"], rows=rows,
                     numeric=[1])  # fmt: skip
    lines: dict[str, dict[int, float]] = {}
    for year, deps in b.by_year_department.items():
        for dep, eok in deps.items():
            lines.setdefault(dep, {})[year] = eok
    return _sum_table("연도별·부서별 소요 예산(단위: 억원)", "부서", lines, _years(s))


def kpi_table(s: RoadmapStructure) -> Table:
    rows = [_kpi_row(k, f"(목표) {g.title}") for g in s.goals for k in g.kpis]
    rows += [_kpi_row(k, i.title) for i in ordered_initiatives(s) for k in i.kpis]
    return Table(title="성과지표", header=["지표", "기준값(연도)", "목표값(연도)", "과제"],
                 rows=rows)  # fmt: skip


def training_table(s: RoadmapStructure) -> Table:
    rows = [[t.department, t.course, t.audience, fmt_num(t.headcount), t.timing]
            for t in s.training]  # fmt: skip
    return Table(title="직원 AI 역량 강화 교육 계획", rows=rows, numeric=[3],
                 header=["부서", "교육 과정", "대상", "인원", "시기"])  # fmt: skip


def risk_table(s: RoadmapStructure) -> Table:
    rows = [[r.risk, r.mitigation, ", ".join(titles(s, r.initiatives)) or "전체"] for r in s.risks]
    return Table(title="주요 위험과 대응", header=["위험", "대응", "관련 과제"], rows=rows)
