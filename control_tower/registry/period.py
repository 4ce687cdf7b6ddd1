"""Project periods in the forms Korean documents use → start/end year and month.

``2026. 3. ~ 2028. 12.``, ``’26~’28``, ``3년간(2026-2028)``, ``2025. ~ 2029. (5년)``,
``2025. 5. 15. ~ 9. 30.`` (the end inherits the start's year), ``2026년 3월 ~ 2028년 12월``,
``(2025~2029)`` in a title, or a single year. Also the status a period implies on a date.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel


class Period(BaseModel):
    start_year: int
    start_month: int | None = None
    end_year: int
    end_month: int | None = None


def _side(prefix: str) -> str:
    return (
        rf"(?:(?P<{prefix}y>(?:19|20)\d{{2}})|[’'‘`´](?P<{prefix}yy>\d{{2}}))?\s*(?:년|\.)?\s*"
        rf"(?:(?P<{prefix}m>\d{{1,2}})\s*(?:월|\.)\s*(?:(?P<{prefix}d>\d{{1,2}})\s*(?:일|\.)?)?)?"
    )


_RANGE = re.compile(
    rf"(?<![\d.])(?P<left>{_side('a')})\s*[~∼〜～\-–—]\s*(?P<right>{_side('b')})(?![\d])"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*년|\s*\.)?(?!\d)")


def _year(m: re.Match[str], prefix: str) -> int | None:
    if m.group(f"{prefix}y"):
        return int(m.group(f"{prefix}y"))
    if m.group(f"{prefix}yy"):
        return 2000 + int(m.group(f"{prefix}yy"))
    return None


def _month(m: re.Match[str], prefix: str) -> int | None:
    raw = m.group(f"{prefix}m")
    if raw is None:
        return None
    month = int(raw)
    return month if 1 <= month <= 12 else None


def _from_range(m: re.Match[str]) -> Period | None:
    sy, ey = _year(m, "a"), _year(m, "b")
    sm, em = _month(m, "a"), _month(m, "b")
    if sy is None:
        return None
    if ey is None:
        if em is None:
            return None
        ey = sy + 1 if sm is not None and em < sm else sy
    if ey < sy or ey - sy > 30 or (ey == sy and sm and em and em < sm):
        return None
    return Period(start_year=sy, start_month=sm, end_year=ey, end_month=em)


def parse_period(text: str) -> Period | None:
    """The first period written in ``text``; a lone year is a one-year period."""
    if not text:
        return None
    saw_range = False
    for m in _RANGE.finditer(text):
        if m.group("left").strip() and m.group("right").strip():
            saw_range = saw_range or bool(_year(m, "a") and _year(m, "b"))
            period = _from_range(m)
            if period is not None:
                return period
    if saw_range:  # "2028 ~ 2025" is a broken range, not the year 2028
        return None
    y = _YEAR.search(text)
    if y:
        year = int(y.group(1))
        return Period(start_year=year, end_year=year)
    return None


_STATUS_WORDS = (
    ("보류", "보류"),
    ("중단", "보류"),
    ("완료", "완료"),
    ("종료", "완료"),
    ("신규", "계획"),
    ("계속", "추진중"),
    ("추진중", "추진중"),
    ("추진 중", "추진중"),
)


def status_from_text(text: str) -> str | None:
    """An explicit status word in a cell or line (신규 → 계획, 계속 → 추진중, 완료, 보류)."""
    for word, status in _STATUS_WORDS:
        if word in (text or ""):
            return status
    return None


def status_from_period(period: Period, on: date | None) -> str | None:
    """계획 before the start, 추진중 within, 완료 after the end, judged on ``on``."""
    if on is None:
        return None
    start = (period.start_year, period.start_month or 1)
    end = (period.end_year, period.end_month or 12)
    now = (on.year, on.month)
    if now < start:
        return "계획"
    if now > end:
        return "완료"
    return "추진중"
