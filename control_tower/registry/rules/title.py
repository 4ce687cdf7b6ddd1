"""A project name from a plan-like title: ``2025년 폭염 대응 종합대책`` → ``폭염 대응 종합대책``.

Only for plan-like documents: a title ending in 계획/사업계획/추진계획/대책/추진 현황 ….
Work plans of a whole department (주요업무계획), meeting notes (회의록), result reports
(결과보고) and budget sheets name no single project and get no title mention.
"""

from __future__ import annotations

import re

from control_tower.registry.period import Period, parse_period

_SUFFIXES = (
    "사업계획서",
    "사업계획",
    "추진계획",
    "기본계획",
    "시행계획",
    "운영계획",
    "실행계획",
    "이행계획",
    "세부계획",
    "종합계획",
    "계획서",
    "계획",
    "종합대책",
    "대책",
    "추진 현황",
    "추진현황",
    "추진",
    "사업 계획",
    "추진 계획",
)
# a 대책 is the measure itself ("폭염 대응 종합대책"), not a plan about a project
_KEPT = ("종합대책", "대책")
_EXCLUDED = (
    "주요업무계획",
    "업무계획",
    "회의록",
    "결과보고",
    "결과 보고",
    "보고회",
    "예산",
    "총괄표",
    "현황 분석",
    "점검 결과",
    "내부자료",
    "통계",
)
_YEAR_PREFIX = re.compile(
    r"^\s*(?:(?:19|20)\d{2}\s*(?:년도?|년)?|[’']\d{2}년?)\s*(?:상반기|하반기)?\s*"
)
_PERIOD_PARENS = re.compile(r"\s*[(（]\s*(?:[’']?\d{2,4}\s*[~∼\-–]\s*[’']?\d{2,4})\s*[)）]\s*$")


def is_plan_title(title: str) -> bool:
    t = (title or "").strip()
    if not t or any(x in t for x in _EXCLUDED):
        return False
    core = _PERIOD_PARENS.sub("", t).strip()
    return any(core.endswith(s) for s in _SUFFIXES)


def name_from_title(title: str) -> tuple[str, Period | None] | None:
    """(project name, period written in the title) for a plan-like title, else None."""
    if not is_plan_title(title):
        return None
    t = " ".join(title.split())
    period = None
    m = _PERIOD_PARENS.search(t)
    if m:
        period = parse_period(m.group(0))
        t = t[: m.start()].strip()
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if t.endswith(suffix):
            if suffix not in _KEPT:
                t = t[: -len(suffix)].strip()
            break
    t = _YEAR_PREFIX.sub("", t).strip(" -·")
    return (t, period) if len(t) >= 2 else None


def strip_plan_words(name: str) -> str:
    """A name without a trailing plan word, for aliases (``… 구축 사업계획`` → ``… 구축``)."""
    got = name_from_title(name)
    return got[0] if got else name
