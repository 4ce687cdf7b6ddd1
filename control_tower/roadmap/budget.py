"""Budget by year, department and initiative — arithmetic only, in 억원 to two decimals.

An initiative's total is spread evenly over its years, and only the horizon's years are
counted (an ongoing project keeps what it spends inside the plan). A department's share of a
multi-department initiative is split evenly. Every total is the sum of the same cells, so the
year × department × initiative table adds up by construction; the checks prove it anyway.
When a year exceeds the ceiling, movable initiatives (the least-depended-on first) are
pushed one year later, with their dependents, until it fits or nothing can move; what was
deferred is written down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from control_tower.roadmap.types import Budget, Initiative


def spread(total: float | None, start: int, end: int, first: int, last: int) -> dict[int, float]:
    """``total`` over ``start..end`` evenly, keeping the horizon's years only."""
    if not total or total <= 0 or end < start:
        return {}
    years = end - start + 1
    share = total / years
    cells = {y: round(share, 2) for y in range(start, end + 1) if first <= y <= last}
    if cells and start >= first and end <= last:  # rounding remainder on the last year
        cells[end] = round(total - sum(v for y, v in cells.items() if y != end), 2)
    return cells


def tally(initiatives: Sequence[Initiative], ceiling: float | None) -> Budget:
    by_year: dict[int, float] = defaultdict(float)
    by_dept: dict[str, float] = defaultdict(float)
    by_yd: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_ini: dict[str, float] = {}
    for ini in initiatives:
        depts = ini.departments or ["미지정"]
        by_ini[ini.id] = ini.budget_total
        for year, amount in ini.budget_by_year.items():
            by_year[year] += amount
            for k, dept in enumerate(depts):
                part = _share(amount, len(depts), k)
                by_dept[dept] += part
                by_yd[year][dept] += part
    return Budget(
        by_year={y: round(v, 2) for y, v in sorted(by_year.items())},
        by_department={d: round(v, 2) for d, v in sorted(by_dept.items(), key=lambda x: -x[1])},
        by_initiative=by_ini,
        by_year_department={
            y: {d: round(v, 2) for d, v in sorted(row.items())} for y, row in sorted(by_yd.items())
        },
        total_eok=round(sum(by_ini.values()), 2),
        ceiling_eok=ceiling,
    )


def _share(amount: float, parts: int, k: int) -> float:
    """Even split whose parts sum exactly to ``amount`` (the remainder goes to the lead)."""
    base = round(amount / parts, 2)
    return round(amount - base * (parts - 1), 2) if k == 0 else base


def fit_ceiling(
    initiatives: list[Initiative],
    totals: dict[str, float],
    ceiling: float | None,
    first: int,
    last: int,
) -> list[str]:
    """Defer movable initiatives until every year is within ``ceiling``; return the notes.

    ``totals`` is each initiative's full budget (re-spread after a move). Year totals are kept
    incrementally, so thousands of imported projects fit in well under a second."""
    if ceiling is None:
        return []
    by_id = {i.id: i for i in initiatives}
    dependents: dict[str, set[str]] = defaultdict(set)
    for ini in initiatives:
        for dep in ini.depends_on:
            dependents[dep].add(ini.id)
    year_total: dict[int, float] = defaultdict(float)
    for ini in initiatives:
        for y, v in ini.budget_by_year.items():
            year_total[y] += v
    original = {i.id: i.start_year for i in initiatives}
    for year in range(first, last + 1):
        if year_total[year] <= ceiling + 1e-9:
            continue
        movable = sorted(
            (i for i in initiatives if not i.fixed and i.start_year == year and i.budget_by_year),
            key=lambda i: (len(dependents[i.id]), -totals.get(i.id, 0.0), i.id),
        )
        for victim in movable:
            if year_total[year] <= ceiling + 1e-9:
                break
            if victim.start_year == year:  # not already moved as someone's dependent
                _defer(victim, by_id, dependents, totals, first, last, year_total)
    moved = [i for i in initiatives if i.start_year != original[i.id]]
    return [
        f"연간 예산 한도({ceiling:g}억원)에 맞추어 「{i.title}」 착수를 {original[i.id]}년에서 "
        f"{i.start_year}년으로 조정했습니다" + (" (계획 기간 밖)." if i.start_year > last else ".")
        for i in sorted(moved, key=lambda i: (i.start_year, i.id))
    ]


def _defer(ini, by_id, dependents, totals, first, last, year_total) -> None:  # noqa: ANN001
    for y, v in ini.budget_by_year.items():
        year_total[y] -= v
    ini.start_year += 1
    ini.end_year += 1
    ini.budget_by_year = spread(totals.get(ini.id), ini.start_year, ini.end_year, first, last)
    for y, v in ini.budget_by_year.items():
        year_total[y] += v
    for child_id in sorted(dependents[ini.id]):
        child = by_id[child_id]
        if not child.fixed and child.start_year <= ini.start_year:
            _defer(child, by_id, dependents, totals, first, last, year_total)
