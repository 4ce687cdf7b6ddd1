"""HTML (including HWP documents "saved as HTML" with a .hwp name): BeautifulSoup (MIT).

A recursive walk emits a block at every block-level element boundary, so text in bare
``<div>``s is kept as well as ``<p>``; ``h1``–``h6`` become headings, ``li`` list items,
``table`` Markdown (layout tables collapse to paragraphs, see ``table_blocks``).
"""

from __future__ import annotations

from pathlib import Path

from control_tower.domain import Block, BlockKind, ParsedDocument
from ingest.detect import DetectedFormat, decode_text
from ingest.parsers.base import Parser, guard, register
from ingest.parsers.markdown_blocks import table_blocks

_SKIP = {"script", "style", "noscript", "head", "template", "svg", "iframe", "object"}
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote",
    "pre", "ul", "ol", "dl", "dt", "dd", "form", "fieldset", "figure", "figcaption", "address",
    "center", "body", "html", "hr", "caption", "tr", "td", "th", "tbody", "thead",
}  # fmt: skip


def _table_rows(table) -> list[list[str]]:
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a nested table's rows: its text is already in the outer cell
        cells = tr.find_all(["td", "th"], recursive=False)
        rows.append([c.get_text(" ", strip=True) for c in cells])
    return rows


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []

    def flush(self, kind: BlockKind = BlockKind.paragraph) -> None:
        text = "".join(self.buffer).strip()
        self.buffer.clear()
        if text:
            self.blocks.append(Block(kind=kind, text=text))

    def walk(self, node) -> None:
        from bs4 import Comment, NavigableString, Tag

        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child).replace("\n", " "))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if name in _SKIP:
                continue
            if name == "br":
                self.buffer.append("\n")
            elif name in _HEADINGS:
                self.flush()
                text = child.get_text(" ", strip=True)
                if text:
                    self.blocks.append(
                        Block(kind=BlockKind.heading, text=text, level=_HEADINGS[name])
                    )
            elif name == "table":
                self.flush()
                self.blocks.extend(table_blocks(_table_rows(child)))
            elif name == "li":
                self.flush()
                self.walk(child)
                self.flush(BlockKind.list_item)
            elif name in _BLOCK:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)


@register
class HtmlParser(Parser):
    name = "beautifulsoup"
    formats = ("html",)

    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        return guard(self.name, lambda: self._parse(Path(path), detected))

    def _parse(self, path: Path, detected: DetectedFormat | None) -> ParsedDocument:
        from bs4 import BeautifulSoup

        data = path.read_bytes()
        encoding = detected.encoding if detected and detected.encoding else None
        if encoding:
            try:
                markup = data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                markup, encoding = decode_text(data)
        else:
            markup, encoding = decode_text(data)
        soup = BeautifulSoup(markup, "html.parser")
        title = soup.title.get_text(strip=True) if soup.title else None
        walker = _Walker()
        walker.walk(soup.body or soup)
        walker.flush()
        for n, b in enumerate(walker.blocks):
            b.paragraph_index = n
        return ParsedDocument(
            title=title or None,
            blocks=walker.blocks,
            parser=self.name,
            metadata={"encoding": encoding},
        )
