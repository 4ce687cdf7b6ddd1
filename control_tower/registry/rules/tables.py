"""Markdown tables (what every parser emits for a table) as rows of cells with offsets.

A cell keeps its absolute span in the full text, so a table value is cited to the cell, not
to the whole table. Spreadsheet blocks repeat a title row (``… (단위: 백만원) | 열2 | …``)
on each group of rows; ``is_placeholder_header`` recognises that row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from control_tower.registry.rules.doc import DocBlock

_PLACEHOLDER = re.compile(r"^열\d+$")
_SEPARATOR_ROW = re.compile(r"^\|?[\s:\-|]+\|?$")


@dataclass
class Cell:
    text: str
    start: int  # absolute offsets of the stripped text
    end: int


@dataclass
class Row:
    cells: list[Cell]
    line: int  # 0-based line index within the table block

    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


def parse_table(blk: DocBlock) -> list[Row]:
    """Rows of a Markdown table block (the separator line dropped)."""
    rows: list[Row] = []
    offset = 0
    for i, line in enumerate(blk.text.split("\n")):
        line_start = offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped.startswith("|") or (i == 1 and _SEPARATOR_ROW.match(stripped)):
            continue
        cells: list[Cell] = []
        pos = line.index("|") + 1
        for part in line[pos:].split("|")[:-1] if stripped.endswith("|") else line[pos:].split("|"):
            lead = len(part) - len(part.lstrip())
            text = part.strip()
            start = blk.start + line_start + pos + lead
            cells.append(Cell(text, start, start + len(text)))
            pos += len(part) + 1
        rows.append(Row(cells, i))
    return rows


def is_placeholder_header(row: Row) -> bool:
    """The synthetic title row of a spreadsheet block: ``title | 열2 | 열3 …``."""
    rest = [c.text for c in row.cells[1:]]
    return bool(rest) and all(_PLACEHOLDER.match(t) or not t for t in rest)


def sheet_row(blk: DocBlock, row: Row) -> int | None:
    """The 1-based spreadsheet row of a data line (block.row is the first data row)."""
    if blk.block.row is None:
        return None
    return blk.block.row + max(0, row.line - 2)
