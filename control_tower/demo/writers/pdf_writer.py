"""PDF through reportlab with its built-in CID font (no font files): a cover page, then the
body with headings and gridded tables, page numbers in the footer."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from control_tower.demo.layout import Layout, format_cell, korean_date

FONT = "HYSMyeongJo-Medium"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = {"fontName": FONT, "wordWrap": "CJK"}
    return {
        "cover_title": ParagraphStyle(
            "cover_title", fontSize=22, leading=32, alignment=TA_CENTER, **base
        ),
        "cover": ParagraphStyle("cover", fontSize=13, leading=22, alignment=TA_CENTER, **base),
        "title": ParagraphStyle("title", fontSize=16, leading=24, spaceAfter=6, **base),
        "meta": ParagraphStyle("meta", fontSize=8.5, leading=12, textColor=colors.grey, **base),
        "h1": ParagraphStyle("h1", fontSize=13, leading=20, spaceBefore=10, spaceAfter=4, **base),
        "h2": ParagraphStyle("h2", fontSize=11.5, leading=18, spaceBefore=6, spaceAfter=3, **base),
        "body": ParagraphStyle("body", fontSize=10.5, leading=17, **base),
        "cell": ParagraphStyle("cell", fontSize=9, leading=13, **base),
        "caption": ParagraphStyle("caption", fontSize=9.5, leading=14, spaceBefore=4, **base),
    }


def _p(text: str, style: str) -> Paragraph:
    # Leading spaces mark sub-items ("  - …"); keep the indent visible.
    indent = len(text) - len(text.lstrip(" "))
    return Paragraph("&nbsp;" * (indent * 2) + escape(text.lstrip(" ")), _styles()[style])


def _table(header: list[str], rows: list[list[str]], width: float) -> Table:
    data = [[_p(h, "cell") for h in header]] + [[_p(c, "cell") for c in row] for row in rows]
    table = Table(data, colWidths=[width / len(header)] * len(header), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {doc.page} -")
    canvas.restoreState()


def write_pdf(layout: Layout, path: Path) -> None:
    doc = layout.doc
    template = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=doc.title,
        author=f"포항시 {layout.department}",
        invariant=True,  # fixed creation date and document id: same bytes every run
    )
    width = template.width
    story: list = [
        Spacer(1, 70 * mm),
        _p(doc.title, "cover_title"),
        Spacer(1, 30 * mm),
        _p(korean_date(doc), "cover"),
        _p(f"포항시 {layout.department}", "cover"),
        PageBreak(),
    ]
    for block in layout.blocks:
        if block.kind == "title":
            story.append(_p(block.text, "title"))
        elif block.kind == "meta":
            story.append(_p(block.text, "meta"))
        elif block.kind == "heading":
            story.append(_p(block.text, "h1" if block.level <= 1 else "h2"))
        elif block.kind == "para":
            story.append(_p(block.text, "body"))
        elif block.kind == "table" and block.table is not None:
            if block.table.title:
                story.append(_p(f"<표> {block.table.title}", "caption"))
            rows = [[format_cell(c) for c in row] for row in block.table.rows]
            story.append(_table(block.table.header, rows, width))
            story.append(Spacer(1, 3 * mm))
    template.build(story, onFirstPage=_footer, onLaterPages=_footer)
