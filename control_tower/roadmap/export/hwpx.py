"""HWPX export with python-hwpx (Apache-2.0; pinned in pyproject): the format the city uses.

Headings are bold paragraphs in a larger size (``HEADING_SIZES``), not Hancom outline styles:
the outline styles ("개요 n") make Hancom draw its own numbers in front of ours ("Ⅰ.",
"1."). Bullets are "○ " paragraphs with a left indent rather than a Hancom bullet list,
because python-hwpx 6.9's ``apply_list_format`` writes a ``hh:bullets`` element its own
validator reports as out of place. Notes are italic "※ " paragraphs. Tables are real
HWPX tables: header row bold on grey, numeric columns right-aligned, every cell's text set.
Cells are filled row by row through ``table.rows`` (``set_cell_text`` rebuilds the cell grid
on every call, which is quadratic in a 200-row table).
"""

from __future__ import annotations

from pathlib import Path

from hwpx import HwpxDocument

from control_tower.roadmap.document import Bullets, Document, Heading, Note, Paragraph, Table
from control_tower.roadmap.export.layout import prepare, write_atomically

TITLE_SIZE = 20
HEADING_SIZES = {1: 16, 2: 14, 3: 12, 4: 11}  # points; the body is 10 pt
BULLET_MARK = "○ "
HEADER_FILL = "#D9D9D9"


class _Writer:
    """One document being written, with the character shapes it needs made once."""

    def __init__(self) -> None:
        self.doc = HwpxDocument.new()
        ensure = self.doc.styles.ensure_run
        self.title = ensure(bold=True, size=TITLE_SIZE)
        self.headings = {lv: ensure(bold=True, size=pt) for lv, pt in HEADING_SIZES.items()}
        self.bold, self.italic = ensure(bold=True), ensure(italic=True)
        self.centered, self.right, self.indented, self.spaced = [], [], [], []

    def para(self, text: str, char_pr: str | None = None):
        return self.doc.add_paragraph(text, char_pr_id_ref=char_pr, inherit_style=False)

    def first(self, text: str, char_pr: str) -> None:
        """The skeleton's first paragraph carries the section settings: write the title there."""
        first = self.doc.paragraphs[0]
        first.text = text
        for run in first.runs:
            run.char_pr_id_ref = char_pr
        self.centered.append(first)

    def table(self, table: Table) -> None:
        if table.title:
            self.spaced.append(self.para(table.title, self.bold))
        if not table.header:
            return
        grid = self.doc.add_table(1 + len(table.rows), len(table.header))
        for r, (row, values) in enumerate(zip(grid.rows, [table.header, *table.rows], strict=True)):
            for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                cell.set_text(value)
                paragraphs = cell.paragraphs
                if r == 0:
                    for run in (run for p in paragraphs for run in p.runs):
                        run.char_pr_id_ref = self.bold
                    self.centered.extend(paragraphs)
                elif c in table.numeric:
                    self.right.extend(paragraphs)
        for c in range(len(table.header)):
            grid.set_cell_shading(0, c, HEADER_FILL)

    def finish(self) -> HwpxDocument:
        fmt = self.doc.styles.apply_paragraph_format
        for paragraphs, kwargs in (
            (self.centered, {"alignment": "CENTER"}),
            (self.right, {"alignment": "RIGHT"}),
            (self.indented, {"indent_left_mm": 5.0}),
            (self.spaced, {"spacing_before_pt": 6.0, "keep_with_next": True}),
        ):
            if paragraphs:
                fmt(paragraphs=paragraphs, **kwargs)
        return self.doc


def build(doc: Document) -> HwpxDocument:
    """The python-hwpx document for ``doc`` (not saved)."""
    layout = prepare(doc)
    w = _Writer()
    if layout.title:
        w.first(layout.title, w.title)
    if layout.subtitle:
        w.centered.append(w.para(layout.subtitle))
    for block in layout.blocks:
        if isinstance(block, Heading):
            w.spaced.append(w.para(block.text, w.headings[block.level]))
        elif isinstance(block, Paragraph):
            w.para(block.text)
        elif isinstance(block, Bullets):
            w.indented.extend(w.para(BULLET_MARK + item) for item in block.items)
        elif isinstance(block, Note):
            w.para(block.text, w.italic)
        elif isinstance(block, Table):
            w.table(block)
    return w.finish()


class HwpxExporter:
    suffix = ".hwpx"
    media_type = "application/hwp+zip"

    def write(self, doc: Document, path: Path) -> Path:
        document = build(doc)
        try:
            return write_atomically(path, document.save_to_path)
        finally:
            document.close()
