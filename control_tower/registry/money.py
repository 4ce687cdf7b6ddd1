"""Korean budget amounts → 억원, with the funding split (국비/도비/시비/민자).

Public documents write the same amount many ways: ``1,250백만원``, ``12억 5천만 원``,
``30,000천원``, ``423,000,000`` under a ``(단위: 원)`` header, a bare ``1,500`` under
``사업비(백만원)``. A split in parentheses inherits the total's unit
(``총 58억원(국비 29, 시비 29)``). When no unit can be determined the amount is unknown:
``parse_money`` returns None rather than guess, because a budget off by 100× is worse than none.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

# Value of one unit in 억원.
UNIT_EOK = {
    "조원": 1e4,
    "억원": 1.0,
    "천만원": 0.1,
    "백만원": 0.01,
    "십만원": 1e-3,
    "만원": 1e-4,
    "천원": 1e-5,
    "원": 1e-8,
}
# Multipliers of the in-number Korean units, in 원 (``12억 5천만``).
_NUM = r"\d[\d,]*(?:\.\d+)?"
_HEADER_UNIT = re.compile(
    r"[(\[（]\s*(?:단위\s*[:：]?\s*)?(조원|억원|천만원|백만원|십만원|만원|천원|원)\s*[)\]）]"
    r"|단위\s*[:：]\s*(조원|억원|천만원|백만원|십만원|만원|천원|원)"
)
_FUNDING_LABELS = {
    "국비": "국비",
    "도비": "도비",
    "시비": "시비",
    "민자": "민자",
    "민간": "민자",
    "민간투자": "민자",
}
_LABEL_RE = "|".join(sorted(_FUNDING_LABELS, key=len, reverse=True))
_SPLIT_ITEM = re.compile(
    rf"({_LABEL_RE})\s*[:：]?\s*({_NUM})\s*(조|억|천만|백만|십만|만|천)?\s*(원)?"
)
_ONLY_SOURCE = re.compile(rf"^[(\[（]?\s*({_LABEL_RE})\s*(?:100\s*%)?\s*[)\]）]?$")


class Money(BaseModel):
    total_eok: float
    funding: dict[str, float] = Field(default_factory=dict)


def unit_from_header(text: str) -> str | None:
    """The unit a header or table title declares: ``사업비(백만원)``, ``(단위: 천원)``."""
    m = _HEADER_UNIT.search(text or "")
    return (m.group(1) or m.group(2)) if m else None


def _number(raw: str) -> float:
    return float(raw.replace(",", ""))


_BIG = {"조": 1e12, "억": 1e8, "만": 1e4}
_SMALL = {"천": 1e3, "백": 1e2, "십": 10.0}
_PART = re.compile(rf"({_NUM})\s*(천|백|십)?\s*(조|억|만)?\s*(원)?")


def _tokens_at(text: str, pos: int) -> tuple[float | None, str | None, int]:
    """Read one amount starting at ``pos``: returns (원 value or bare number, unit kind, end).

    Korean amounts group digits under 조/억/만, with 천/백/십 inside a group:
    ``5억 3천3백만 원`` = 5억 + (3천 + 3백)만, ``1,250백만원`` = 1,250백 × 만.
    unit kind: ``"won"`` when the amount carried Korean units or 원, else None (bare)."""
    total = group = 0.0
    has_unit = False
    end = pos
    last_big = float("inf")
    while True:
        m = _PART.match(text, end)
        if not m:
            break
        num, small, big, won = m.groups()
        if has_unit and not (small or big or won):
            break  # a separate number after a complete amount
        bigf = _BIG.get(big or "", 0.0)
        if big and bigf >= last_big:
            break  # "3억 2억": two amounts
        group += _number(num) * _SMALL.get(small or "", 1.0)
        has_unit = has_unit or bool(small or big or won)
        end = m.end()
        if big:
            total += group * bigf
            group = 0.0
            last_big = bigf
        while end < len(text) and text[end] == " ":
            end += 1
        if won or not (small or big):
            break
    if end == pos:
        return None, None, pos
    return total + group, ("won" if has_unit else None), end


def _to_eok(value: float, kind: str | None, unit: str | None) -> float | None:
    if kind == "won":
        return value / 1e8
    if unit is None:
        return None
    return value * UNIT_EOK[unit]


def _unit_of(text: str, start: int, end: int) -> str:
    """The unit the total was written in, for a split that inherits it (``58억원(국비 29``)."""
    written = text[start:end].replace(" ", "")
    for unit in sorted(UNIT_EOK, key=len, reverse=True):
        if written.endswith(unit) or written.endswith(unit[:-1]):
            return unit
    return "원"


def _split(text: str, unit: str | None, total: float) -> dict[str, float]:
    funding: dict[str, float] = {}
    for m in _SPLIT_ITEM.finditer(text):
        key = _FUNDING_LABELS[m.group(1)]
        # a compound amount ("시비 6억 5천만 원") is read whole, like the total
        value, kind, _ = _tokens_at(text, m.start(2))
        if value is None:
            continue
        eok = _to_eok(value, kind, unit)
        if eok is not None:
            funding[key] = round(funding.get(key, 0.0) + eok, 6)
    if not funding:
        only = _ONLY_SOURCE.match(text.strip())
        if only:
            funding[_FUNDING_LABELS[only.group(1)]] = total
    return funding


def parse_money(text: str, unit: str | None = None) -> Money | None:
    """Parse a budget text; ``unit`` is the unit a header declares for bare numbers.

    The first amount written with a unit wins (``3년간 총 58억원`` → 58); a bare number counts
    only when ``unit`` is given."""
    if not text:
        return None
    text = text.replace("\u00a0", " ")
    bare: tuple[float, int, int] | None = None
    for m in re.finditer(r"(?<![\d,.])\d", text):
        value, kind, end = _tokens_at(text, m.start())
        if value is None:
            continue
        if kind == "won":
            total = round(value / 1e8, 6)
            split_unit = _unit_of(text, m.start(), end)
            return Money(total_eok=total, funding=_split(text[end:], split_unit, total))
        if bare is None and unit is not None:
            bare = (value, m.start(), end)
    if bare is None:
        return None
    value, _, end = bare
    total = round(value * UNIT_EOK[unit], 6)  # type: ignore[index]
    return Money(total_eok=total, funding=_split(text[end:], unit, total))


def funding_from_source(text: str, total_eok: float) -> dict[str, float]:
    """A 재원 cell naming one source (``시비``) → the whole amount from it; a list of several
    (``국·도·시비``) says nothing about the shares → empty."""
    only = _ONLY_SOURCE.match((text or "").strip())
    return {_FUNDING_LABELS[only.group(1)]: total_eok} if only else {}
