"""Korean labels the pages show for codes: access levels, document statuses, formats,
citation locations and times. In one place so every page (and later issues') says the same."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from control_tower.domain import AccessLevel

ACCESS_LABELS: dict[str, str] = {
    AccessLevel.public.value: "전체 공개",
    AccessLevel.internal.value: "내부",
    AccessLevel.department.value: "부서 한정",
    AccessLevel.restricted.value: "지정 사용자",
}

STATUS_LABELS: dict[str, str] = {
    "indexed": "색인됨",
    "updated": "갱신됨",
    "unchanged": "변경 없음",
    "pending": "처리 중",
    "skipped": "건너뜀",
    "failed": "실패",
}

# Formats the search filter offers (the detected ``doc_type`` values), in display order.
FORMATS: tuple[tuple[str, str], ...] = (
    ("hwp", "HWP"),
    ("hwpx", "HWPX"),
    ("pdf", "PDF"),
    ("docx", "DOCX (워드)"),
    ("xlsx", "XLSX (엑셀)"),
    ("csv", "CSV"),
    ("pptx", "PPTX (파워포인트)"),
    ("html", "HTML"),
    ("txt", "TXT"),
    ("md", "Markdown"),
)
FORMAT_CODES = frozenset(code for code, _ in FORMATS)


def access_label(level: Any) -> str:
    value = getattr(level, "value", level)
    return ACCESS_LABELS.get(str(value), str(value))


def status_label(status: Any) -> str:
    value = getattr(status, "value", status)
    return STATUS_LABELS.get(str(value), str(value))


def format_label(doc_type: str | None) -> str:
    """ "HWP", "PDF" …; "-" for a file whose format was not recognised."""
    code = (doc_type or "").lower()
    return code.upper() if code in FORMAT_CODES else "-"


def location_label(c: Any) -> str:
    """Where a passage sits, for people: "3쪽 · 2. 추진 계획", "시트 '예산' · 12행".

    ``c`` is a ``Citation`` or ``Chunk`` (same field names). Never a file path.
    """
    parts: list[str] = []
    page = getattr(c, "page", None)
    doc_type = getattr(c, "doc_type", None) or getattr(getattr(c, "meta", None), "doc_type", None)
    if page:
        parts.append(f"슬라이드 {page}" if doc_type == "pptx" else f"{page}쪽")
    sheet, row = getattr(c, "sheet", None), getattr(c, "row", None)
    if sheet:
        parts.append(f"시트 '{sheet}'")
    if row:
        parts.append(f"{row}행")
    section = getattr(c, "section", None)
    if section:
        parts.append(section)
    paragraph = getattr(c, "paragraph_index", None)
    if paragraph is not None and not page and not row:
        parts.append(f"문단 {paragraph + 1}")
    return " · ".join(parts)


def format_time(value: datetime | date | None) -> str:
    """ "2026-12-01 19:30" in the server's local time zone ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone()
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


__all__ = [
    "ACCESS_LABELS",
    "FORMATS",
    "FORMAT_CODES",
    "STATUS_LABELS",
    "access_label",
    "format_label",
    "format_time",
    "location_label",
    "status_label",
]
