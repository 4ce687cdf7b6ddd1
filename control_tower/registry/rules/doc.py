"""A parsed document as its full text with exact offsets, sections and citation builders.

Every rule reads blocks through this view so that every value it returns can be cited as
``base.model_copy(update={page, section, row, char_start, char_end})`` with offsets into
``ingest.chunking.full_text(parsed)`` — the same space the chunker cites — and a section
path built the way the chunker builds it (heading blocks only).
"""

from __future__ import annotations

from dataclasses import dataclass

from control_tower.domain import Block, BlockKind, ParsedDocument
from control_tower.registry.types import SourceRef
from ingest.chunking import MAX_HEADING_CHARS, SEPARATOR, full_text


@dataclass
class DocBlock:
    index: int
    block: Block
    start: int  # offset of the block text in the full text
    section: str | None

    @property
    def text(self) -> str:
        return self.block.text

    @property
    def end(self) -> int:
        return self.start + len(self.block.text)

    @property
    def kind(self) -> BlockKind:
        return self.block.kind


def _label(stack: list[tuple[int, str]]) -> str | None:
    if not stack:
        return None
    parts = []
    for _, text in stack:
        one = " ".join(text.split())
        parts.append(one if len(one) <= MAX_HEADING_CHARS else one[:MAX_HEADING_CHARS] + "…")
    return " > ".join(parts)


class DocView:
    def __init__(self, parsed: ParsedDocument, base: SourceRef):
        self.parsed = parsed
        self.base = base
        self.text = full_text(parsed)
        self.blocks: list[DocBlock] = []
        stack: list[tuple[int, str]] = []
        pos = 0
        for i, block in enumerate(parsed.blocks):
            if block.kind == BlockKind.heading:
                level = block.level or 1
                while stack and stack[-1][0] >= level:
                    stack.pop()
                section = _label(stack)
                stack.append((level, block.text))
            else:
                section = _label(stack)
            self.blocks.append(DocBlock(i, block, pos, section))
            pos += len(block.text) + len(SEPARATOR)

    @property
    def is_sheet(self) -> bool:
        return any(b.block.sheet for b in self.blocks)

    def ref(self, blk: DocBlock, start: int, end: int, row: int | None = None) -> SourceRef:
        """Cite ``full_text[start:end]`` (absolute offsets) inside ``blk``."""
        return self.base.model_copy(
            update={
                "page": blk.block.page,
                "section": blk.section if blk.section else (blk.block.sheet or None),
                "row": row if row is not None else blk.block.row,
                "char_start": start,
                "char_end": end,
            }
        )

    def ref_span(self, blk: DocBlock, needle: str, row: int | None = None) -> SourceRef:
        """Cite the first occurrence of ``needle`` in ``blk`` (the whole block if absent)."""
        at = blk.text.find(needle) if needle else -1
        if at < 0:
            return self.ref(blk, blk.start, blk.end, row)
        return self.ref(blk, blk.start + at, blk.start + at + len(needle), row)

    def locate(self, start: int) -> DocBlock | None:
        """The block holding absolute offset ``start``."""
        for blk in self.blocks:
            if blk.start <= start <= blk.end:
                return blk
        return None
