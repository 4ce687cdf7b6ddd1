"""Markdown export: GitHub-flavoured, readable as plain text and rendered alike everywhere.

The title is ``#`` and a block heading of level n is n+1 ``#``; a note is a ``>`` quote; a
table title is a bold line above a pipe table whose numeric columns are right-aligned
(``---:``). Text is escaped so that it stays text: ``\\ ` * _ ~ < >`` get a backslash (no
emphasis, strikethrough from ranges like "2026~2030", or raw HTML), and a line that would
start a heading, list, table or rule is escaped (leading spaces dropped, so no code block). Citation
markers such as ``[3]`` are left as they are. In a cell ``|`` becomes ``\\|`` and a newline
``<br>``; in a paragraph a newline is a hard line break (two trailing spaces).
"""

from __future__ import annotations

import re
from pathlib import Path

from control_tower.roadmap.document import Bullets, Document, Heading, Note, Paragraph, Table
from control_tower.roadmap.export.layout import prepare, write_atomically

_INLINE = re.compile(r"([\\`*_~<>])")
_BLOCK_START = re.compile(r"^([#+=|-])")
_ORDERED_START = re.compile(r"^(\d+)([.)])")


def inline(text: str) -> str:
    return _INLINE.sub(r"\\\1", text)


def _line(text: str) -> str:
    escaped = _BLOCK_START.sub(r"\\\1", inline(text.strip()))
    return _ORDERED_START.sub(r"\1\\\2", escaped)


def _lines(text: str, indent: str = "") -> str:
    return ("  \n" + indent).join(_line(part) for part in text.split("\n"))


def cell(text: str) -> str:
    return inline(text).replace("|", "\\|").replace("\n", "<br>")


def _table(table: Table) -> list[str]:
    out = [f"**{inline(table.title)}**", ""] if table.title else []
    if not table.header:
        return out
    rule = ["---:" if i in table.numeric else "---" for i in range(len(table.header))]
    rows = [table.header, *table.rows]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows[:1]]
    out.append("| " + " | ".join(rule) + " |")
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows[1:]]
    return out + [""]


def render(doc: Document) -> str:
    layout = prepare(doc)
    out: list[str] = []
    if layout.title:
        out += [f"# {_line(layout.title)}", ""]
    if layout.subtitle:
        out += [_line(layout.subtitle), ""]
    for block in layout.blocks:
        if isinstance(block, Heading):
            out += ["#" * (block.level + 1) + " " + _line(block.text), ""]
        elif isinstance(block, Paragraph):
            out += [_lines(block.text), ""]
        elif isinstance(block, Bullets):
            out += [f"- {_lines(item, '  ')}" for item in block.items] + [""]
        elif isinstance(block, Note):
            out += ["> " + _lines(block.text, "> "), ""]
        elif isinstance(block, Table):
            out += _table(block)
    return "\n".join(out).rstrip("\n") + "\n"


class MarkdownExporter:
    suffix = ".md"
    media_type = "text/markdown; charset=utf-8"

    def write(self, doc: Document, path: Path) -> Path:
        text = render(doc)
        return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
