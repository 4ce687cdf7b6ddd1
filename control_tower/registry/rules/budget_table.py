"""Budget and project tables → one reference mention per row.

Columns are recognised by ``budget_columns``. Spreadsheet groups after the first repeat only
the title row; the header is carried over from the first group of the same sheet and title.
Total rows (합계/소계) and notes (※ …) are not projects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from control_tower.domain import BlockKind
from control_tower.registry.departments import find_departments, resolve_department
from control_tower.registry.money import funding_from_source, parse_money
from control_tower.registry.period import parse_period, status_from_text
from control_tower.registry.rules.budget_columns import Columns, columns_of, title_unit
from control_tower.registry.rules.doc import DocBlock, DocView
from control_tower.registry.rules.tables import Row, is_placeholder_header, parse_table, sheet_row
from control_tower.registry.types import FieldValue, Mention

_SKIP_NAMES = re.compile(r"^(?:합\s*계|총\s*계|소\s*계|계|-|※.*)$")


def _row_mention(
    view: DocView, blk: DocBlock, row: Row, cols: Columns, departments: Sequence[str]
) -> Mention | None:
    cells = row.cells
    if len(cells) <= max(cols.name, cols.amount or 0, cols.dept or 0):
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
    money = parse_money(cells[cols.amount].text, cols.unit) if cols.amount is not None else None
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
            cols = columns_of(body[0].texts(), title_unit(view, blk, title_row))
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
