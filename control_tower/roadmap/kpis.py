"""Performance indicators with a baseline and a target year, read from the sources.

A card's KPI line ("보행자 교통사고 30% 감소", "평균 통행속도 18km/h → 25km/h") gives the
target, and the baseline when the line states one. A relative target ("30% 감소") is measured
against the year before the initiative starts, which is how Korean 성과관리 plans state it
("기준값: 2025년 실적"); the baseline then names that year instead of inventing a number. An
initiative with no KPI in its sources gets its completion rate, so every initiative can be
tracked. Goal-level KPIs are counts over the plan itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from control_tower.roadmap.types import Goal, Initiative, Kpi, SourceLink

ARROW = re.compile(
    r"(?P<base>\d[\d,.]*\s*[^\s→~\d]{0,5})\s*(?:→|->|에서)\s*(?P<target>\d[\d,.]*\s*\S{0,6})"
)
CURRENT = re.compile(r"(?:현재|기준|현행)\s*[:：]?\s*(?P<base>\d[\d,.]*\s*[^\s,)]{0,6})")
TARGET = re.compile(
    r"\d[\d,.]*\s*(?:%|％|건|명|분|초|개소|개|km/h|배|톤|억원|회|일|시간|곳|가구|점)?"
    r"\s*(?:감소|증가|향상|단축|절감|이상|이하|달성|확대)?"
)


PARTICLE = re.compile(r"(으로|로|까지|를|을|이|가|은|는|인)$")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" .,·-○□")


def _value(text: str) -> str:
    """A measured value without a trailing particle ("25km/h로" → "25km/h")."""
    return PARTICLE.sub("", _clean(text)).strip()


def parse_kpi(text: str, ini: Initiative, source: SourceLink | None) -> Kpi:
    text = _clean(text)
    baseline_year = max(ini.start_year - 1, 1900)
    target_year = ini.end_year
    if m := ARROW.search(text):
        name = _clean(text[: m.start()]) or text
        return Kpi(
            name=name,
            baseline=_value(m["base"]),
            baseline_year=baseline_year,
            target=_value(m["target"]),
            target_year=target_year,
            initiative=ini.id,
            source=source,
        )
    base = CURRENT.search(text)
    targets = [
        t
        for t in TARGET.finditer(text)
        if t.group().strip()
        and (base is None or t.start() >= base.end() or t.end() <= base.start())
    ]
    target = _clean(targets[-1].group()) if targets else "목표 달성"
    rest = CURRENT.sub("", text) if base else text
    name = (
        _clean(re.sub(r"\s+", " ", TARGET.sub("", rest).replace("목표", ""))) if targets else text
    )
    return Kpi(
        name=name or text,
        baseline=_value(base["base"]) if base else f"{baseline_year}년 실적 (착수 전)",
        baseline_year=baseline_year,
        target=target,
        target_year=target_year,
        initiative=ini.id,
        source=source,
    )


def initiative_kpis(ini: Initiative, texts: Sequence[tuple[str, SourceLink | None]]) -> list[Kpi]:
    kpis = [parse_kpi(t, ini, s) for t, s in texts if t and t.strip()][:4]
    if kpis:
        return kpis
    return [
        Kpi(
            name="과제 추진 완료율",
            baseline="0%",
            baseline_year=ini.start_year,
            target="100%",
            target_year=ini.end_year,
            initiative=ini.id,
        )
    ]


def goal_kpis(pillar_initiatives: Sequence[Initiative], first: int, last: int) -> list[Kpi]:
    done = [i for i in pillar_initiatives if i.end_year <= last]
    depts = sorted({d for i in pillar_initiatives for d in i.departments})
    return [
        Kpi(
            name="완료된 추진과제 수",
            baseline="0건",
            baseline_year=first,
            target=f"{len(done)}건",
            target_year=last,
        ),
        Kpi(
            name="AI 과제 참여 부서 수",
            baseline=f"{first - 1}년 실적",
            baseline_year=first - 1,
            target=f"{len(depts)}개 부서",
            target_year=last,
        ),
    ]


def goals_for(pillars, initiatives: Sequence[Initiative], first: int, last: int) -> list[Goal]:  # noqa: ANN001
    by_id = {i.id: i for i in initiatives}
    return [
        Goal(
            title=p.goal or p.name,
            kpis=goal_kpis([by_id[x] for x in p.initiatives if x in by_id], first, last),
        )
        for p in pillars
        if p.initiatives
    ]
