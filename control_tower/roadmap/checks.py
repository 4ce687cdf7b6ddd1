"""Consistency checks on every draft, reported per item.

They re-verify what the builder guarantees by construction, because a draft is also edited
by hand (a phase moved, a budget line changed) and because a roadmap that says its budget
adds up must be shown to add up. Access is checked against the audience's ``can(doc_id)``.
"""

from __future__ import annotations

from collections.abc import Callable

from control_tower.roadmap.ordering import RoadmapError, order_violations, topological_order
from control_tower.roadmap.types import Check, RoadmapStructure

EPS = 0.011  # 억원: sums of values rounded to two decimals


def _close(a: float, b: float, n: int = 1) -> bool:
    return abs(a - b) <= EPS * max(1, n)


def check_order(s: RoadmapStructure) -> Check:
    try:
        topological_order(s.initiatives)
    except RoadmapError as exc:
        return Check(name="선후관계 순서", ok=False, detail=exc.message_ko, items=[exc.message_ko])
    bad = order_violations(s.initiatives)
    edges = sum(len(i.depends_on) for i in s.initiatives)
    detail = f"선행관계 {edges}건 중 위반 {len(bad)}건"
    return Check(name="선후관계 순서", ok=not bad, detail=detail, items=bad)


def check_budget_sums(s: RoadmapStructure) -> Check:
    b, bad = s.budget, []
    n = len(s.initiatives)
    for ini in s.initiatives:
        if not _close(
            sum(ini.budget_by_year.values()),
            b.by_initiative.get(ini.id, 0.0),
            len(ini.budget_by_year),
        ):
            bad.append(f"「{ini.title}」 연도별 합계가 과제 예산과 다릅니다.")
    for name, total in (
        ("연도별", sum(b.by_year.values())),
        ("부서별", sum(b.by_department.values())),
        ("과제별", sum(b.by_initiative.values())),
    ):
        if not _close(total, b.total_eok, n):
            bad.append(f"{name} 합계 {total:.2f}억원이 총액 {b.total_eok:.2f}억원과 다릅니다.")
    for year, row in b.by_year_department.items():
        if not _close(sum(row.values()), b.by_year.get(year, 0.0), len(row)):
            bad.append(f"{year}년 부서별 합계가 연도 합계와 다릅니다.")
    detail = (
        f"총 {b.total_eok:,.2f}억원 = 연도별·부서별·과제별 합계"
        if not bad
        else f"불일치 {len(bad)}건"
    )
    return Check(name="예산 합계", ok=not bad, detail=detail, items=bad)


def check_ceiling(s: RoadmapStructure) -> Check:
    ceiling = s.budget.ceiling_eok
    if ceiling is None:
        return Check(name="연간 예산 한도", ok=True, detail="연간 한도가 지정되지 않았습니다.")
    over = [
        f"{y}년 {v:,.2f}억원 > 한도 {ceiling:,.2f}억원"
        for y, v in s.budget.by_year.items()
        if v > ceiling + EPS
    ]
    return Check(
        name="연간 예산 한도",
        ok=not over,
        detail=f"연간 한도 {ceiling:,.2f}억원, 초과 {len(over)}개 연도",
        items=over,
    )


def check_traced(s: RoadmapStructure) -> Check:
    bad = [
        f"「{i.title}」에 사업 카드나 제안 출처가 없습니다."
        for i in s.initiatives
        if not i.cards and not any(src.proposal for src in i.sources)
    ]
    return Check(
        name="출처 추적",
        ok=not bad,
        detail=f"과제 {len(s.initiatives)}개 중 출처 없는 과제 {len(bad)}개",
        items=bad,
    )


def check_kpis(s: RoadmapStructure) -> Check:
    kpis = [k for i in s.initiatives for k in i.kpis] + [k for g in s.goals for k in g.kpis]
    bad = [
        f"「{k.name}」: 기준값 또는 목표 연도가 없거나 목표 연도가 기준 연도보다 앞섭니다."
        for k in kpis
        if not k.baseline.strip() or not k.target.strip() or k.target_year < k.baseline_year
    ]
    measured = sum(1 for k in kpis if "실적" in k.baseline)
    return Check(
        name="성과지표 기준값·목표연도",
        ok=not bad,
        detail=f"지표 {len(kpis)}개 (기준값이 착수 전 실적인 지표 {measured}개), 누락 {len(bad)}개",
        items=bad,
    )


def check_phases(s: RoadmapStructure) -> Check:
    placed = [x for p in s.phases for x in p.initiatives]
    bad = [
        f"「{i.title}」이(가) 단계에 배정되지 않았거나 두 번 배정되었습니다."
        for i in s.initiatives
        if placed.count(i.id) != 1
    ]
    return Check(
        name="단계 배정",
        ok=not bad,
        detail=f"{len(s.phases)}개 단계에 과제 {len(placed)}개",
        items=bad,
    )


def check_training(s: RoadmapStructure) -> Check:
    trained = {t.department for t in s.training}
    depts = sorted({d for i in s.initiatives for d in i.departments})
    bad = [f"{d}: 과제가 있으나 교육 계획이 없습니다." for d in depts if d not in trained]
    return Check(
        name="직원 AI 역량 강화 계획",
        ok=not bad,
        detail=f"과제 수행 부서 {len(depts)}곳 중 교육 계획 없는 부서 {len(bad)}곳",
        items=bad,
    )


def check_access(s: RoadmapStructure, can: Callable[[str], bool]) -> Check:
    docs = s.documents()
    bad = sorted(d for d in docs if not can(d))
    return Check(
        name="열람 권한",
        ok=not bad,
        detail=f"사용한 문서 {len(docs)}개 중 볼 권한이 없는 문서 {len(bad)}개",
        items=[f"볼 권한이 없는 문서를 인용합니다 ({len(bad)}건)"] if bad else [],
    )


def run_checks(s: RoadmapStructure, can: Callable[[str], bool]) -> list[Check]:
    return [
        check_order(s),
        check_budget_sums(s),
        check_ceiling(s),
        check_traced(s),
        check_kpis(s),
        check_phases(s),
        check_training(s),
        check_access(s, can),
    ]
