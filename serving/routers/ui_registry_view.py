"""How registry values look on the pages: Korean field and method labels, values as text,
values as edit-form input, and where each value was read (location, page/section, the cited
span and a link to the passage page).

Why a module of its own: the list, the detail page, the link panel and the review page all
show card values; one formatting keeps them consistent. Server paths never reach here for
non-admins: the caller passes the path function (``location_path`` unless admin).
"""

from __future__ import annotations

from typing import Any

from control_tower.domain import Principal
from control_tower.registry.types import FUNDING_KEYS, LIST_FIELDS, FieldValue, SourceRef
from control_tower.registry.views import PathFn, location_path, raw_path

FIELD_LABELS = {
    "name": "사업명",
    "aliases": "다른 이름",
    "departments": "부서 (주관 부서 먼저)",
    "status": "상태",
    "start_year": "시작 연도",
    "start_month": "시작 월",
    "end_year": "종료 연도",
    "end_month": "종료 월",
    "budget_eok": "총사업비 (억원)",
    "funding": "재원 (억원)",
    "goal": "목표",
    "summary": "사업 개요",
    "technologies": "AI·데이터 기술",
    "data": "활용 데이터",
    "beneficiaries": "수혜 대상",
    "partners": "협력 기관",
    "kpis": "성과 지표",
    "laws": "관련 법령",
}
METHOD_LABELS = {"rule": "규칙", "table": "표", "llm": "LLM", "import": "가져오기", "edit": "수정"}
STATUSES = ("계획", "추진중", "완료", "보류")
LINK_TYPES = ("중복", "연계", "선후")
LONG_FIELDS = ("goal", "summary")
CiteFn = Any  # (SourceRef) -> (cited span dict | None, passage page URL | None): ui_registry_cite


def path_fn_for(principal: Principal) -> PathFn:
    """Admins see paths as ingested; everyone else the 부서/파일명 location."""
    return raw_path if principal.is_admin else location_path


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def value_text(field: str, value: Any) -> str:
    """A field value as one line of Korean text."""
    if value is None or value == [] or value == {}:
        return ""
    if field == "funding" and isinstance(value, dict):
        return " · ".join(f"{k} {number(value[k])}" for k in FUNDING_KEYS if k in value)
    if field == "budget_eok":
        return f"{number(value)}억원"
    if field in ("start_month", "end_month"):
        return f"{value}월"
    if field in ("start_year", "end_year"):
        return f"{value}년"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def input_text(field: str, value: Any) -> str:
    """The value as the edit form shows it (what ``edits.coerce`` reads back)."""
    if value is None:
        return ""
    if field == "funding" and isinstance(value, dict):
        return ", ".join(f"{k}:{number(v)}" for k, v in value.items())
    if field in LIST_FIELDS and isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field == "budget_eok":
        return number(value).replace(",", "")
    return str(value)


def where_text(src: SourceRef) -> str:
    """쪽/절/행 of a source, in Korean."""
    parts = []
    if src.page:
        parts.append(f"{src.page}쪽")
    if src.section:
        parts.append(src.section)
    if src.row is not None:
        parts.append(f"{src.row}행")
    return " · ".join(parts)


def source_view(src: SourceRef | None, path: PathFn, cite: CiteFn | None = None) -> dict | None:
    if src is None:
        return None
    out = {
        "doc_id": src.doc_id,
        "title": src.title,
        "location": path(src),
        "where": where_text(src),
        "date": src.doc_date.isoformat() if src.doc_date else "",
        "cited": None,
        "passage_url": None,
    }
    if cite is not None:
        out["cited"], out["passage_url"] = cite(src)
    return out


def value_view(field: str, fv: FieldValue, path: PathFn, cite: CiteFn | None = None) -> dict:
    return {
        "text": value_text(field, fv.value),
        "method": fv.method,
        "method_label": METHOD_LABELS.get(fv.method, fv.method),
        "by": fv.by,
        "at": fv.at,
        "source": source_view(fv.source, path, cite),
    }


__all__ = [
    "FIELD_LABELS",
    "LINK_TYPES",
    "LONG_FIELDS",
    "METHOD_LABELS",
    "STATUSES",
    "input_text",
    "path_fn_for",
    "source_view",
    "value_text",
    "value_view",
    "where_text",
]
