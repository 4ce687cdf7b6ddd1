"""Plain text and Markdown. Decoded with BOM / UTF-8 / CP949 detection over the whole file.
Markdown goes through the shared Markdown splitter (headings → section paths); plain text is
split into paragraphs at blank lines."""

from __future__ import annotations

import re
from pathlib import Path

from control_tower.domain import Block, BlockKind, ParsedDocument
from ingest.detect import DetectedFormat, decode_text, detect_format
from ingest.parsers.base import Parser, guard, register
from ingest.parsers.markdown_blocks import markdown_to_blocks


@register
class TextParser(Parser):
    name = "text"
    formats = ("txt", "md")

    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        return guard(self.name, lambda: self._parse(Path(path), detected))

    def _parse(self, path: Path, detected: DetectedFormat | None) -> ParsedDocument:
        detected = detected or detect_format(path)
        text, encoding = decode_text(path.read_bytes())
        if detected.format == "md":
            blocks = markdown_to_blocks(text)
        else:
            paras = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
            blocks = [
                Block(kind=BlockKind.paragraph, text=p, paragraph_index=i)
                for i, p in enumerate(p for p in paras if p)
            ]
        title = next((b.text for b in blocks if b.kind == BlockKind.heading), None)
        return ParsedDocument(
            title=title, blocks=blocks, parser=self.name, metadata={"encoding": encoding}
        )
