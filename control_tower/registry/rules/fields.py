"""Labelled values (an overview-table cell, a ``○ 사업기간: …`` line) → typed field values.

One place knows which labels mean which card field and how each is normalized, so the
overview table and the bullet rules agree: ``사업비``/``총사업비(추정)``/``소요예산`` → budget
and funding, ``사업기간``/``추진기간``/``교육기간`` → years and months, ``담당부서`` → the lead
department (resolved to a managed one), ``협조부서`` → more departments, and so on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from control_tower.registry.departments import find_departments, resolve_department
from control_tower.registry.money import parse_money
from control_tower.registry.period import parse_period, status_from_text
from control_tower.registry.types import FieldValue, Method, SourceRef

KEYS = {
    "name": ("사업명", "교육명", "과제명", "사업명칭", "프로젝트명", "시스템명"),
    "period": (
        "사업기간",
        "추진기간",
        "교육기간",
        "운영기간",
        "대책기간",
        "기간",
        "사업연도",
        "시행기간",
    ),
    "budget": ("사업비", "총사업비", "소요예산", "예산", "사업예산", "총예산", "소요사업비"),
    "lead": ("담당부서", "주관부서", "소관부서", "담당", "주관", "추진부서"),
    "partner_depts": ("협조부서", "관련부서", "협업부서", "참여부서"),
    "beneficiaries": ("대상", "지원대상", "교육대상", "수혜대상", "모집대상", "서비스대상"),
    "partners": ("참여기관", "협력기관", "협업기관", "수행기관", "참여기업"),
    "goal": ("목적", "사업목적", "추진목적", "추진목표", "사업목표"),
    "summary": ("사업내용", "주요내용", "사업개요", "추진내용"),
    "status": ("추진상태", "진행상태", "상태", "추진현황"),
    "laws": ("근거", "추진근거", "관련법령", "법적근거"),
    "kpis": ("성과지표", "성과목표", "kpi"),
}
_KEY_OF = {k: field for field, keys in KEYS.items() for k in keys}


def key_of(label: str) -> str | None:
    """The card field a label names (``총사업비(추정)`` → budget), or None."""
    key = re.sub(r"\s+", "", re.sub(r"[(（][^)）]*[)）]", "", label or "")).lower()
    return _KEY_OF.get(key)


@dataclass
class Labelled:
    label: str
    value: str
    source: SourceRef
    method: Method


@dataclass
class TypedFields:
    fields: dict[str, FieldValue]
    lead: str | None
    partner_departments: list[str]


def split_list(text: str) -> list[str]:
    """Items of an enumeration; separators inside parentheses do not split."""
    parts: list[str] = []
    depth, cur = 0, ""
    for ch in text:
        depth += ch in "(（[" and 1 or (-1 if ch in ")）]" else 0)
        if depth <= 0 and ch in ",，;/":
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def typed_fields(items: Sequence[Labelled], departments: Sequence[str]) -> TypedFields:
    """Typed FieldValues from labelled values; the first value of each field wins."""
    out: dict[str, FieldValue] = {}
    lead: str | None = None
    extra_depts: list[str] = []

    def put(name: str, value: object, it: Labelled) -> None:
        if name not in out and value not in (None, "", [], {}):
            out[name] = FieldValue(value=value, method=it.method, source=it.source)

    for it in items:
        field = key_of(it.label)
        value = it.value.strip()
        if not field or not value or value in ("-", "–"):
            continue
        if field == "name":
            put("name", value, it)
        elif field == "period":
            p = parse_period(value)
            if p:
                for k in ("start_year", "start_month", "end_year", "end_month"):
                    put(k, getattr(p, k), it)
        elif field == "budget":
            money = parse_money(value)
            if money:
                put("budget_eok", money.total_eok, it)
                put("funding", money.funding, it)
        elif field == "lead":
            dept = resolve_department(value, departments)
            if dept and lead is None:
                lead = dept
                put("lead_department", dept, it)
        elif field == "partner_depts":
            extra_depts.extend(find_departments(value, departments))
        elif field == "status":
            put("status", status_from_text(value), it)
        elif field in ("beneficiaries", "partners", "laws", "kpis"):
            put(field, split_list(value) if field == "partners" else [value], it)
        else:
            put(field, value, it)
    return TypedFields(out, lead, extra_depts)
