"""PPTX: python-pptx (MIT). One slide = one ``page``; the slide title is a level-1 heading,
other text frames paragraphs, tables Markdown, speaker notes a trailing paragraph."""

from __future__ import annotations

from pathlib import Path

from control_tower.domain import Block, BlockKind, ParsedDocument
from ingest.detect import DetectedFormat
from ingest.parsers.base import Parser, guard, register
from ingest.parsers.markdown_blocks import table_blocks


def _shape_blocks(shape, page: int, title_shape_id: int | None) -> list[Block]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        return [b for s in shape.shapes for b in _shape_blocks(s, page, title_shape_id)]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[cell.text.strip() for cell in row.cells] for row in shape.table.rows]
        return table_blocks(rows, page=page)
    if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
        return []
    if shape.shape_id == title_shape_id:
        text = shape.text_frame.text.strip()
        return [Block(kind=BlockKind.heading, text=text, level=1, page=page)] if text else []
    blocks = []
    for para in shape.text_frame.paragraphs:
        text = "".join(run.text for run in para.runs).strip() or para.text.strip()
        if text:
            kind = BlockKind.list_item if para.level > 0 else BlockKind.paragraph
            blocks.append(Block(kind=kind, text=text, page=page))
    return blocks


@register
class PptxParser(Parser):
    name = "python-pptx"
    formats = ("pptx",)

    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        return guard(self.name, lambda: self._parse(Path(path)))

    def _parse(self, path: Path) -> ParsedDocument:
        from pptx import Presentation

        prs = Presentation(str(path))
        blocks: list[Block] = []
        for number, slide in enumerate(prs.slides, start=1):
            title = slide.shapes.title
            title_id = title.shape_id if title is not None else None
            if title is not None:  # title first, whatever its z-order
                blocks.extend(_shape_blocks(title, number, title_id))
            for shape in slide.shapes:
                if shape.shape_id != title_id:
                    blocks.extend(_shape_blocks(shape, number, title_id))
            if slide.has_notes_slide:
                notes = slide.notes_slide.notes_text_frame
                if notes is not None and notes.text.strip():
                    blocks.append(Block(text=notes.text.strip(), page=number))
        for n, b in enumerate(blocks):
            b.paragraph_index = n
        doc_title = (prs.core_properties.title or "").strip() or next(
            (b.text for b in blocks if b.kind == BlockKind.heading), None
        )
        return ParsedDocument(
            title=doc_title, blocks=blocks, parser=self.name, page_count=len(prs.slides)
        )
