"""DOCX export with python-docx: Word styles, real tables, Korean set in a Korean font.

The font gotcha: ``style.font.name`` writes only ``w:ascii``/``w:hAnsi``, and the default
template's heading styles name *theme* fonts (``w:eastAsiaTheme``), which win over any
explicit name. Without ``w:eastAsia`` Word picks the East Asian font from the theme and
Korean falls back to a Japanese face (MS Mincho / Yu Gothic). So ``_korean_font`` sets
``w:ascii``, ``w:hAnsi`` and ``w:eastAsia`` and removes the theme attributes on every style
we use, and marks the language ko-KR. Tables use "Table Grid" with a bold, shaded header row
that repeats on each page; numeric columns are right-aligned; the page is A4.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from control_tower.roadmap.document import Bullets, Document, Heading, Note, Paragraph, Table
from control_tower.roadmap.export.layout import prepare, write_atomically

KOREAN_FONT = "맑은 고딕"
STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4",
          "Heading 5", "List Bullet")  # fmt: skip
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
HEADER_FILL = "D9D9D9"
NOTE_FILL = "F2F2F2"


def _korean_font(style) -> None:
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), KOREAN_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ko-KR")


def _shade(element, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    element.append(shd)


def _setup(document) -> None:
    for name in STYLES:
        _korean_font(document.styles[name])
    document.styles["Normal"].font.size = Pt(10)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)


def _table(document, table: Table) -> None:
    if table.title:
        caption = document.add_paragraph()
        caption.add_run(table.title).bold = True
        caption.paragraph_format.keep_with_next = True
    if not table.header:
        return
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, (row, values) in enumerate(zip(grid.rows, [table.header, *table.rows], strict=True)):
        if r == 0:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(value).bold = r == 0 or None
            if r == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _shade(cell._tc.get_or_add_tcPr(), HEADER_FILL)
            elif c in table.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def build(doc: Document):
    """The python-docx document for ``doc`` (not saved)."""
    layout = prepare(doc)
    document = docx.Document()
    _setup(document)
    if layout.title:
        document.add_paragraph(layout.title, style="Title")
    if layout.subtitle:
        document.add_paragraph(layout.subtitle, style="Subtitle")
    for block in layout.blocks:
        if isinstance(block, Heading):
            document.add_paragraph(block.text, style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        elif isinstance(block, Note):
            note = document.add_paragraph()
            note.add_run(block.text).italic = True
            _shade(note._p.get_or_add_pPr(), NOTE_FILL)
        elif isinstance(block, Table):
            _table(document, block)
    return document


class DocxExporter:
    suffix = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def write(self, doc: Document, path: Path) -> Path:
        document = build(doc)
        return write_atomically(path, lambda tmp: document.save(str(tmp)))
