"""The roadmap pages' forms read into what the engine takes, with Korean errors.

Why here: an HTML form sends text; ``Guidance`` and ``StructureEdit`` want numbers, lists and
only the fields that changed. A typo ("2O27", "많음") must come back as one Korean sentence
naming the field, with the typed values kept — never a pydantic message in English.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from control_tower.domain import nfc
from control_tower.roadmap.types import Guidance, Initiative

FIELD_LABELS = {
    "from_year": "시작 연도",
    "to_year": "종료 연도",
    "vision": "비전",
    "pillars": "추진 전략",
    "ceiling_eok": "연도별 예산 한도",
    "staff_count": "전 직원 수",
    "title": "제목",
}


class FormError(ValueError):
    """A form value the engine cannot take; ``message_ko`` is shown on the page."""

    def __init__(self, message_ko: str) -> None:
        super().__init__(message_ko)
        self.message_ko = message_ko


def _int(form: dict, key: str, *, required: bool) -> int | None:
    text = (form.get(key) or "").strip()
    if not text:
        if required:
            raise FormError(f"{FIELD_LABELS[key]}를 입력하세요.")
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        raise FormError(f"{FIELD_LABELS[key]}는 숫자로 입력하세요: '{text}'")
    return int(text)


def amount(text: str, label: str) -> float | None:
    """억원 as typed (commas allowed); None for an empty box."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FormError(f"{label}은(는) 억원 단위 숫자로 입력하세요: '{text}'") from None
    if value != value or value < 0:  # NaN or negative
        raise FormError(f"{label}은(는) 0 이상이어야 합니다: '{text}'")
    return value


def guidance_from(form: dict) -> Guidance:
    pillars = [p.strip() for p in re.split(r"[\n,]", nfc(form.get("pillars") or "")) if p.strip()]
    values = {
        "from_year": _int(form, "from_year", required=True),
        "to_year": _int(form, "to_year", required=True),
        "vision": nfc(form.get("vision") or "").strip() or None,
        "pillars": pillars,
        "ceiling_eok": amount(form.get("ceiling_eok") or "", FIELD_LABELS["ceiling_eok"]),
        "staff_count": _int(form, "staff_count", required=False),
        "title": nfc(form.get("title") or "").strip() or None,
    }
    try:
        return Guidance.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        if err["type"] == "value_error":  # the model's own Korean sentence
            raise FormError(str(err["msg"]).removeprefix("Value error, ")) from None
        field = FIELD_LABELS.get(str(err["loc"][0]) if err["loc"] else "", "입력")
        raise FormError(f"{field} 값이 올바르지 않습니다 ({_why(err)}).") from None


def _why(err: dict) -> str:
    ctx = err.get("ctx") or {}
    if "ge" in ctx:
        return f"{ctx['ge']} 이상"
    if "le" in ctx:
        return f"{ctx['le']} 이하"
    if "gt" in ctx:
        return f"{ctx['gt']}보다 커야 함"
    if "max_length" in ctx:
        return f"{ctx['max_length']}자 이하"
    return "형식 확인"


def initiative_changes(ini: Initiative, years: list[int], form: dict) -> dict:
    """Only what the user changed: the phase (the engine moves the years and spreads the
    budget) or budget lines (an emptied box removes the line; a box not sent is unchanged)."""
    changes: dict = {"initiative": ini.id}
    phase = (form.get("phase") or "").strip()
    if phase and phase != ini.phase:
        changes["phase"] = phase
    lines = {}
    for year in years:
        if f"budget_{year}" not in form:  # not sent: unchanged (an emptied box is sent as "")
            continue
        typed = amount(form[f"budget_{year}"], f"{year}년 예산")
        old = ini.budget_by_year.get(year)
        new = typed or 0.0
        if round(new, 2) != round(old or 0.0, 2):
            lines[year] = new
    if lines:
        changes["budget_by_year"] = lines
    return changes


__all__ = ["FIELD_LABELS", "FormError", "amount", "guidance_from", "initiative_changes"]
