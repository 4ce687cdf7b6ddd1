"""The staff AI capability pillar: the skills each department's initiatives need, and when.

Skills come from the initiatives' technologies and titles (``defaults.json`` "skills": which
words call for which skill and course). Practitioners are trained the year before their
initiative starts (or in the plan's first year), department heads of every participating
department in the first year, and all staff once a year — the 전 직원 AI 역량 강화 part of
the control tower's mandate. Head counts follow stated rules (per initiative, per
department), so the plan can be checked and re-computed when initiatives move.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from control_tower.roadmap.defaults import load_defaults
from control_tower.roadmap.types import Guidance, Initiative, TrainingItem


def skills_of(ini: Initiative) -> list[tuple[str, str]]:
    """(skill, course) pairs the initiative calls for, in the defaults' order."""
    text = " ".join([ini.title, ini.summary, *ini.technologies])
    found = [
        (s["skill"], s["course"])
        for s in load_defaults()["skills"]
        if any(word.lower() in text.lower() for word in s["match"])
    ]
    return found or [
        (load_defaults()["skills"][2]["skill"], load_defaults()["skills"][2]["course"])
    ]


def training_plan(initiatives: Sequence[Initiative], guidance: Guidance) -> list[TrainingItem]:
    rules = load_defaults()["training"]
    first, last = guidance.from_year, guidance.to_year
    need: dict[tuple[str, str, str, int], list[Initiative]] = defaultdict(list)
    for ini in initiatives:
        year = min(max(first, ini.start_year - 1), last)
        for dept in ini.departments or ["미지정"]:
            for skill, course in skills_of(ini):
                need[(dept, skill, course, year)].append(ini)
    items = [
        TrainingItem(
            department=dept,
            skills=[skill],
            course=course,
            audience=rules["practitioner_audience"],
            headcount=rules["per_initiative"] * len(inis) + rules["leads_per_department"],
            year=year,
            timing=f"{year}년 "
            + ("상반기" if year < min(i.start_year for i in inis) else "착수 직전 분기"),
            initiatives=[i.id for i in inis],
        )
        for (dept, skill, course, year), inis in sorted(
            need.items(), key=lambda kv: (kv[0][3], kv[0][0], kv[0][1])
        )
    ]
    departments = sorted({d for i in initiatives for d in i.departments})
    if departments:
        items.append(
            TrainingItem(
                department="과제 수행 부서 전체",
                skills=["AI 사업 기획", "성과관리"],
                course=rules["head_course"],
                audience=rules["head_audience"],
                headcount=len(departments),
                year=first,
                timing=f"{first}년 {rules['head_timing']}",
            )
        )
    staff = guidance.staff_count or rules["default_staff_count"]
    assumed = "" if guidance.staff_count else " (인원은 가정치: 인사 자료로 바꾸세요)"
    items += [
        TrainingItem(
            department="전 부서",
            skills=["생성형 AI 안전 활용", "개인정보 보호"],
            course=rules["all_staff_course"],
            audience=rules["all_staff_audience"] + assumed,
            headcount=staff,
            year=year,
            timing=f"{year}년 {rules['all_staff_timing']}",
        )
        for year in guidance.years
    ]
    return items
