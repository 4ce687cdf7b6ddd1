"""The 사업 개요 table: ``| 구분 | 내용 |`` rows such as 사업명, 사업기간, 사업비, 담당부서.

A document whose table names the project (a 사업명/교육명 row) is that project's primary
source. A PDF may split the table at a page break; a key/value table right after it (only a
page marker between) continues it. Values are cited to their cell.
"""

from __future__ import annotations

from control_tower.domain import BlockKind
from control_tower.registry.rules.doc import DocBlock, DocView
from control_tower.registry.rules.fields import Labelled, key_of
from control_tower.registry.rules.lines import PAGE_MARK
from control_tower.registry.rules.tables import parse_table


def _pairs(view: DocView, blk: DocBlock) -> list[Labelled]:
    out: list[Labelled] = []
    for row in parse_table(blk):
        cells = [c for c in row.cells if c.text]
        if len(cells) < 2 or key_of(cells[0].text) is None:
            continue
        value = cells[1]
        out.append(
            Labelled(
                label=cells[0].text,
                value=value.text,
                source=view.ref(blk, value.start, value.end),
                method="table",
            )
        )
    return out


def _is_key_value(blk: DocBlock) -> bool:
    rows = parse_table(blk)
    return (
        bool(rows)
        and all(len(r.cells) == 2 for r in rows)
        and key_of(rows[0].cells[1].text) is None
    )


def overview_pairs(view: DocView) -> list[Labelled]:
    """The labelled cells of the first table that names a project, with its continuation."""
    blocks = view.blocks
    for i, blk in enumerate(blocks):
        if blk.kind != BlockKind.table or blk.block.sheet or not _is_key_value(blk):
            continue
        pairs = _pairs(view, blk)
        if not any(key_of(p.label) == "name" for p in pairs):
            continue
        j = i + 1
        while j < len(blocks) and blocks[j].kind != BlockKind.table:
            if not PAGE_MARK.match(blocks[j].text.strip()):
                return pairs
            j += 1
        if j < len(blocks) and _is_key_value(blocks[j]):
            more = _pairs(view, blocks[j])
            if not any(key_of(p.label) == "name" for p in more):
                pairs.extend(more)
        return pairs
    return []
