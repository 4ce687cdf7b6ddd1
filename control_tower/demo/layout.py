"""One reading order for every format: a document becomes a list of layout blocks.

Every writer renders the same blocks, so the text a parser gets back is the same whichever
format a document was written in, and the plain-text corpus matches the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from control_tower.demo.content_model import Cell, DemoDocument, TableBlock
from control_tower.domain import AccessLevel

ACCESS_LABELS = {
    AccessLevel.public: "공개",
    AccessLevel.internal: "내부 (직원 열람)",
    AccessLevel.department: "부서 한정",
    AccessLevel.restricted: "비공개 (지정 열람자 한정)",
}

# "1. ", "Ⅳ. ", "가. " — HWP outline headings number themselves, so the typed number is dropped
# there (otherwise Hancom shows "1. 1. 추진배경").
_HEADING_NUMBER = re.compile(r"^\s*(?:[0-9]+|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|[가-하])\.\s+")


@dataclass
class Block:
    kind: str  # title | meta | heading | para | table
    text: str = ""
    level: int = 1
    table: TableBlock | None = None


@dataclass
class Layout:
    doc: DemoDocument
    department: str
    blocks: list[Block] = field(default_factory=list)


def format_cell(value: Cell) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return value


def strip_heading_number(text: str) -> str:
    return _HEADING_NUMBER.sub("", text, count=1)


def korean_date(doc: DemoDocument) -> str:
    d = doc.date
    return f"{d.year}. {d.month}. {d.day}."


def meta_lines(doc: DemoDocument, department: str) -> list[str]:
    return [
        f"문서번호: {doc.doc_no}",
        f"작성일자: {korean_date(doc)}",
        f"작성부서: 포항시 {department}",
        f"문서구분: {doc.doc_type}",
        f"공개구분: {ACCESS_LABELS[doc.access]}",
    ]


def build_layout(doc: DemoDocument, department: str) -> Layout:
    blocks = [Block("title", doc.title)]
    blocks += [Block("meta", line) for line in meta_lines(doc, department)]
    if doc.overview:
        blocks.append(Block("heading", "사업 개요", level=1))
        blocks.append(
            Block("table", table=TableBlock(header=["구분", "내용"], rows=list(doc.overview)))
        )
    for section in doc.sections:
        blocks.append(Block("heading", section.heading, level=section.level))
        blocks += [Block("para", line) for line in section.lines]
        if section.table is not None:
            blocks.append(Block("table", table=section.table))
    for sheet in doc.sheets:
        blocks.append(Block("heading", f"{sheet.name}: {sheet.title}", level=1))
        blocks.append(Block("table", table=TableBlock(header=sheet.header, rows=sheet.rows)))
        blocks += [Block("para", note) for note in sheet.notes]
    return Layout(doc=doc, department=department, blocks=blocks)


def plain_text(layout: Layout) -> str:
    """The document's text in reading order (tables as pipe rows), for a BEIR corpus."""
    out: list[str] = []
    for block in layout.blocks:
        if block.kind == "table" and block.table is not None:
            if block.table.title:
                out.append(f"<표> {block.table.title}")
            out.append(" | ".join(block.table.header))
            out += [" | ".join(format_cell(c) for c in row) for row in block.table.rows]
        else:
            out.append(block.text)
    return "\n".join(out)
