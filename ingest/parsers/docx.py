"""DOCX: python-docx (MIT). Paragraphs and tables in body order; headings from paragraph
styles ("Heading N", Korean Word's "제목 N", "Title") so the chunker can build section paths."""

from __future__ import annotations

import re
from pathlib import Path

from control_tower.domain import Block, BlockKind, ParsedDocument
from ingest.detect import DetectedFormat
from ingest.parsers.base import Parser, guard, register
from ingest.parsers.markdown_blocks import table_blocks

_HEADING_STYLE = re.compile(r"^(heading|제목)\s*(\d)$", re.I)
_LIST_STYLE = re.compile(r"list|목록", re.I)


def heading_level(style_name: str | None) -> int | None:
    name = (style_name or "").strip()
    if name.lower() in ("title", "제목"):
        return 1
    m = _HEADING_STYLE.match(name)
    return int(m.group(2)) if m else None


def table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        rows.append([cell.text.strip() for cell in row.cells])
    return rows


@register
class DocxParser(Parser):
    name = "python-docx"
    formats = ("docx",)

    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        return guard(self.name, lambda: self._parse(Path(path)))

    def _parse(self, path: Path) -> ParsedDocument:
        import docx
        from docx.table import Table

        document = docx.Document(str(path))
        blocks: list[Block] = []
        index = 0
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                found = table_blocks(table_rows(item), paragraph_index=index)
            else:
                text = item.text.strip()
                if not text:
                    continue
                style = item.style.name if item.style is not None else None
                level = heading_level(style)
                if level is not None:
                    kind = BlockKind.heading
                elif _LIST_STYLE.search(style or ""):
                    kind = BlockKind.list_item
                else:
                    kind = BlockKind.paragraph
                found = [Block(kind=kind, text=text, level=level, paragraph_index=index)]
            if found:
                blocks.extend(found)
                index += 1
        title = (document.core_properties.title or "").strip() or next(
            (b.text for b in blocks if b.kind == BlockKind.heading), None
        )
        return ParsedDocument(title=title, blocks=blocks, parser=self.name)
