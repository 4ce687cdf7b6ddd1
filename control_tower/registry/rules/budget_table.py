"""Budget and project tables → one reference mention per row.

A table is a project table when it has a name column (사업명/사업/시범사업/과제명) and an
amount column (총사업비 first, else 사업비/예산/예산액/금액; never 요구액/집행액/잔액, which
are not the project's budget). The unit comes from the column header (``사업비(백만원)``),
else the table title (``… (단위: 천원)``, a spreadsheet's title row or the ``<표>`` line above).
Spreadsheet groups after the first repeat only the title row; the header is carried over.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from control_tower.domain import BlockKind
from control_tower.registry.departments import find_departments, resolve_department
from control_tower.registry.money import funding_from_source, parse_money, unit_from_header
from control_tower.registry.period import parse_period, status_from_text
from control_tower.registry.rules.doc import DocBlock, DocView
from control_tower.registry.rules.tables import Row, is_placeholder_header, parse_table, sheet_row
from control_tower.registry.types import FieldValue, Mention

_NAME = ("사업명", "사업", "시범사업", "과제명", "세부사업", "세부사업명", "단위사업", "사업명칭")
_TOTAL = ("총사업비",)
_AMOUNT = ("사업비", "예산", "예산액", "소요예산", "금액", "사업예산")
_NOT_BUDGET = ("요구액", "집행액", "잔액", "반영액", "삭감액", "지원액", "집행", "이월")
_DEPT = ("담당부서", "부서", "주관부서", "소관부서", "부서명", "담당")
_PARTNER = ("협업부서", "협조부서", "관련부서")
_PERIOD = ("사업기간", "기간", "추진기간")
_STATUS = ("구분", "비고", "상태", "추진상태")
_FUNDS = {"국비": "국비", "도비": "도비", "시비": "시비", "민자": "민자", "민간": "민자"}
_SKIP_NAMES = re.compile(r"^(?:합\s*계|총\s*계|소\s*계|계|-|※.*)$")


def _norm(text: str) -> str:
    return re.sub(r"[\s\d년]+", "", re.sub(r"[(（][^)）]*[)）]", "", text))


@dataclass
class Columns:
    header: list[str]
    unit: str | None
    name: int
    amount: int | None
    dept: int | None = None
    partner: int | None = None
    period: int | None = None
    status: int | None = None
    source: int | None = None  # 재원
    funds: dict[str, int] | None = None


def columns_of(header: list[str], title_unit: str | None) -> Columns | None:
    norm = [_norm(h) for h in header]

    def find(keys: Sequence[str]) -> int | None:
        return next((i for i, h in enumerate(norm) if h in keys), None)

    name = find(_NAME)
    if name is None:
        return None
    amount = find(_TOTAL)
    if amount is None:
        amount = next(
            (
                i
                for i, (h, raw) in enumerate(zip(norm, header, strict=True))
                if h in _AMOUNT and not any(x in raw for x in _NOT_BUDGET)
            ),
            None,
        )
    if amount is None:
        return None
    unit = unit_from_header(header[amount]) or title_unit
    funds = {_FUNDS[h]: i for i, h in enumerate(norm) if h in _FUNDS}
    return Columns(
        header,
        unit,
        name,
        amount,
        find(_DEPT),
        find(_PARTNER),
        find(_PERIOD),
        find(_STATUS),
        find(("재원",)),
        funds,
    )


def _title_unit(view: DocView, blk: DocBlock, title_row: Row | None) -> str | None:
    if title_row is not None:
        return unit_from_header(title_row.cells[0].text)
    prev = view.blocks[blk.index - 1] if blk.index > 0 else None
    if prev is not None and prev.kind != BlockKind.table:
        last = prev.text.strip().split("\n")[-1]
        return unit_from_header(last) if ("<표>" in last or "단위" in last) else None
    return None


def _row_mention(
    view: DocView, blk: DocBlock, row: Row, cols: Columns, departments: Sequence[str]
) -> Mention | None:
    cells = row.cells
    if len(cells) <= max(cols.name, cols.amount or 0):
        return None
    name_cell = cells[cols.name]
    name = name_cell.text.strip()
    if not name or _SKIP_NAMES.match(name) or len(name) < 3:
        return None
    srow = sheet_row(blk, row)

    def ref(i: int):
        c = cells[i]
        return view.ref(blk, c.start, c.end, srow)

    fields: dict[str, FieldValue] = {
        "name": FieldValue(value=name, method="table", source=ref(cols.name))
    }
    money = parse_money(cells[cols.amount].text, cols.unit)
    if money:
        fields["budget_eok"] = FieldValue(
            value=money.total_eok, method="table", source=ref(cols.amount)
        )
        funding = dict(money.funding)
        for key, i in (cols.funds or {}).items():
            part = parse_money(cells[i].text, cols.unit) if i < len(cells) else None
            if part is not None:
                funding[key] = part.total_eok
        if not funding and cols.source is not None and cols.source < len(cells):
            funding = funding_from_source(cells[cols.source].text, money.total_eok)
        funding = {k: v for k, v in funding.items() if v}
        if funding:
            fields["funding"] = FieldValue(value=funding, method="table", source=ref(cols.amount))
    lead = None
    if cols.dept is not None and cols.dept < len(cells):
        lead = resolve_department(cells[cols.dept].text, departments)
    depts = [lead or view.base.department]
    if cols.partner is not None and cols.partner < len(cells):
        depts += [
            d for d in find_departments(cells[cols.partner].text, departments) if d not in depts
        ]
    dept_src = ref(cols.dept) if lead and cols.dept is not None else ref(cols.name)
    fields["departments"] = FieldValue(
        value=[d for d in depts if d], method="table", source=dept_src
    )
    if cols.period is not None and cols.period < len(cells):
        p = parse_period(cells[cols.period].text)
        if p:
            for k in ("start_year", "start_month", "end_year", "end_month"):
                if getattr(p, k) is not None:
                    fields[k] = FieldValue(
                        value=getattr(p, k), method="table", source=ref(cols.period)
                    )
    if cols.status is not None and cols.status < len(cells) and len(cells[cols.status].text) <= 8:
        status = status_from_text(cells[cols.status].text)
        if status:
            fields["status"] = FieldValue(value=status, method="table", source=ref(cols.status))
    start, end = cells[0].start, cells[-1].end
    return Mention(
        name=name,
        role="reference",
        lead_department=lead or view.base.department,
        fields=fields,
        source=view.ref(blk, start, end, srow),
    )


def budget_mentions(view: DocView, departments: Sequence[str]) -> list[Mention]:
    """A reference mention for every row of every project table in the document."""
    out: list[Mention] = []
    carried: dict[tuple[str | None, str], Columns] = {}
    for blk in view.blocks:
        if blk.kind != BlockKind.table:
            continue
        rows = parse_table(blk)
        if not rows:
            continue
        title_row = rows[0] if is_placeholder_header(rows[0]) else None
        key = (blk.block.sheet, title_row.cells[0].text if title_row else "")
        body = rows[1:] if title_row else rows
        cols = None
        if body:
            cols = columns_of(body[0].texts(), _title_unit(view, blk, title_row))
        if cols is not None:
            body = body[1:]
            if title_row is not None:
                carried[key] = cols
        elif title_row is not None and key in carried:
            cols = carried[key]
        if cols is None:
            continue
        for row in body:
            m = _row_mention(view, blk, row, cols, departments)
            if m is not None:
                out.append(m)
    return out
