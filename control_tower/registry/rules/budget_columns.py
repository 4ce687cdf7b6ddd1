"""Which column of a budget or project table is what, and in which unit.

A table is a project table when it has a name column (사업명/사업/시범사업/과제명) and an
amount column — 총사업비 first, else 사업비/예산/예산액/금액, never 요구액/집행액/잔액 (a
year's request or spending, not the project's budget) — or at least a department column (a
request sheet still says which department owns which project). The unit comes from the
amount header (``사업비(백만원)``), else the table title (a spreadsheet's ``… (단위: 천원)``
row, or the ``<표> …`` line above a document table).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from control_tower.domain import BlockKind
from control_tower.registry.money import unit_from_header
from control_tower.registry.rules.doc import DocBlock, DocView
from control_tower.registry.rules.tables import Row

_NAME = ("사업명", "사업", "시범사업", "과제명", "세부사업", "세부사업명", "단위사업", "사업명칭")
_TOTAL = ("총사업비",)
_AMOUNT = ("사업비", "예산", "예산액", "소요예산", "금액", "사업예산")
_NOT_BUDGET = ("요구액", "집행액", "잔액", "반영액", "삭감액", "지원액", "집행", "이월")
_DEPT = ("담당부서", "부서", "주관부서", "소관부서", "부서명", "담당")
_PARTNER = ("협업부서", "협조부서", "관련부서")
_PERIOD = ("사업기간", "기간", "추진기간")
_STATUS = ("구분", "비고", "상태", "추진상태")
_FUNDS = {"국비": "국비", "도비": "도비", "시비": "시비", "민자": "민자", "민간": "민자"}


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
    dept = find(_DEPT)
    if amount is None and dept is None:
        return None  # a list of names without budget or department says nothing to attach
    unit = (unit_from_header(header[amount]) if amount is not None else None) or title_unit
    funds = {_FUNDS[h]: i for i, h in enumerate(norm) if h in _FUNDS}
    return Columns(
        header,
        unit,
        name,
        amount,
        dept,
        find(_PARTNER),
        find(_PERIOD),
        find(_STATUS),
        find(("재원",)),
        funds,
    )


def title_unit(view: DocView, blk: DocBlock, title_row: Row | None) -> str | None:
    if title_row is not None:
        return unit_from_header(title_row.cells[0].text)
    prev = view.blocks[blk.index - 1] if blk.index > 0 else None
    if prev is not None and prev.kind != BlockKind.table:
        last = prev.text.strip().split("\n")[-1]
        return unit_from_header(last) if ("<표>" in last or "단위" in last) else None
    return None
