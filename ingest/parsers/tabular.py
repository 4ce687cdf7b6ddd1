"""Rows → table blocks, shared by XLSX and CSV.

Each block is a self-contained Markdown table: the sheet's header row followed by a group of
data rows, grouped up to ``ROW_GROUP_CHARS`` characters, so any chunk built from it still says
what each column means. ``row`` is the 1-based spreadsheet row of the group's first data row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from control_tower.domain import Block, BlockKind
from ingest.parsers.markdown_blocks import render_table

ROW_GROUP_CHARS = 500
MAX_ROW_GROUP = 50


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def rows_to_blocks(rows: Iterable[tuple[int, list[str]]], sheet: str | None) -> list[Block]:
    """``rows`` = (1-based row number, cell texts). Empty rows/columns are dropped; the first
    non-empty row is the header."""
    numbered = [(n, cells) for n, cells in rows if any(c for c in cells)]
    if not numbered:
        return []
    width = max(len(c) for _, c in numbered)
    numbered = [(n, c + [""] * (width - len(c))) for n, c in numbered]
    keep = [j for j in range(width) if any(c[j] for _, c in numbered)]
    numbered = [(n, [c[j] for j in keep]) for n, c in numbered]
    (header_row, header), data = numbered[0], numbered[1:]
    if not data:  # a lone row: no header to explain it, keep it as text
        return [
            Block(kind=BlockKind.paragraph, text=" | ".join(header), sheet=sheet, row=header_row)
        ]
    header = [h or f"열{j + 1}" for j, h in enumerate(header)]
    blocks: list[Block] = []
    group: list[tuple[int, list[str]]] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if group:
            text = render_table([header] + [c for _, c in group])
            blocks.append(Block(kind=BlockKind.table, text=text, sheet=sheet, row=group[0][0]))
            group.clear()
            size = 0

    for n, cells in data:
        row_chars = sum(len(c) + 3 for c in cells)
        if group and (size + row_chars > ROW_GROUP_CHARS or len(group) >= MAX_ROW_GROUP):
            flush()
        group.append((n, cells))
        size += row_chars
    flush()
    return blocks
