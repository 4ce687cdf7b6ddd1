"""HWPX and HWP 5.0 files through python-hwpx (which writes ``.hwp`` from the same model)."""

from __future__ import annotations

import random
import uuid
from contextlib import contextmanager
from pathlib import Path

import hwpx.oxml._document_impl as hwpx_impl
from hwpx import HwpxDocument

from control_tower.demo.layout import Layout, format_cell, strip_heading_number

BODY_STYLE = "바탕글"


@contextmanager
def _seeded_ids(seed: str):
    """python-hwpx draws paragraph/table ids from uuid4; its module keeps a documented
    monkeypatch seam (``_document_impl.uuid4``). Seeding it per document makes the bytes stable."""
    rng = random.Random(seed)
    original = hwpx_impl.uuid4
    hwpx_impl.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128))
    try:
        yield
    finally:
        hwpx_impl.uuid4 = original


def _build(layout: Layout) -> HwpxDocument:
    doc = HwpxDocument.new()
    title_style = doc.styles.ensure_run(bold=True, size=16)
    meta_style = doc.styles.ensure_run(size=9)
    for block in layout.blocks:
        if block.kind == "title":
            doc.add_paragraph(block.text, style=BODY_STYLE, char_pr_id_ref=title_style)
        elif block.kind == "meta":
            doc.add_paragraph(block.text, style=BODY_STYLE, char_pr_id_ref=meta_style)
        elif block.kind == "heading":
            doc.add_heading(strip_heading_number(block.text), level=min(block.level, 9))
        elif block.kind == "para":
            doc.add_paragraph(block.text, style=BODY_STYLE)
        elif block.kind == "table" and block.table is not None:
            table_data = block.table
            if table_data.title:
                doc.add_paragraph(f"<표> {table_data.title}", style=BODY_STYLE)
            rows = [table_data.header] + [[format_cell(c) for c in row] for row in table_data.rows]
            table = doc.add_table(len(rows), len(table_data.header))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    return doc


def _write(layout: Layout, path: Path) -> None:
    with _seeded_ids(layout.doc.key):
        doc = _build(layout)
        doc.save_to_path(str(path))


def write_hwpx(layout: Layout, path: Path) -> None:
    _write(layout, path)


def write_hwp(layout: Layout, path: Path) -> None:
    """python-hwpx writes HWP 5.0 (OLE compound file) when the target ends in ``.hwp``."""
    _write(layout, path)
