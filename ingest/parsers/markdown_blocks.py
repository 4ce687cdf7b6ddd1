"""Markdown → ``Block``s. Shared by the HWP/HWPX parsers (whose libraries emit Markdown) and
the Markdown text parser.

HWP documents use tables for page layout: the converters emit 38-column tables where most
cells are empty and the text sits in one column. Feeding that to a search index wastes the
chunk budget on ``|  |`` and hides sentences from BM25 phrase proximity. So tables are
cleaned (empty rows and columns dropped); a table left with one column is really a list of
paragraphs and becomes paragraphs.
"""

from __future__ import annotations

import re

from control_tower.domain import Block, BlockKind

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s{0,8}([-*+]|\d{1,3}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?(sup|sub|u|b|i|em|strong|span|mark|del|ins|s)\b[^>]*>", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_EMPH = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")


def clean_inline(text: str) -> str:
    """Strip Markdown/HTML decoration that carries no words (images, bold, sup tags)."""
    text = _COMMENT.sub("", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _BR.sub("\n", text)
    text = _TAG.sub("", text)
    text = _EMPH.sub(r"\2", text)
    text = _ESCAPE.sub(r"\1", text)
    return text.strip()


def split_table_row(line: str) -> list[str]:
    """Cells of one ``| a | b |`` line; ``\\|`` stays inside a cell."""
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells = re.split(r"(?<!\\)\|", s)
    return [clean_inline(c.replace("\\|", "|")) for c in cells]


def render_table(rows: list[list[str]]) -> str:
    """Rows of cells → a GFM table, first row as header."""

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = [fmt(rows[0]), "|" + "---|" * width]
    lines += [fmt(r) for r in rows[1:]]
    return "\n".join(lines)


def table_blocks(rows: list[list[str]], **prov) -> list[Block]:
    """Clean a table (drop empty rows/columns) and return it as one table block, or as
    paragraphs when only one column of text remains (a layout table)."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep = [j for j in range(width) if any(r[j].strip() for r in rows)]
    rows = [[r[j] for j in keep] for r in rows]
    rows = [_unstutter(r) for r in rows]
    if all(sum(1 for c in r if c.strip()) <= 1 for r in rows):
        texts = [next((c for c in r if c.strip()), "") for r in rows]
        return [Block(kind=BlockKind.paragraph, text=t, **prov) for t in texts if t.strip()]
    return [Block(kind=BlockKind.table, text=render_table(rows), **prov)]


def _unstutter(row: list[str]) -> list[str]:
    """Blank a label repeated in the next column: converters replicate a merged cell across
    the columns it spans, which reads as stutter. The slot stays (columns keep lining up
    with the header) and numbers are never blanked — "16 | 16 | 16" in a budget table is
    data, not a merged cell."""
    out = list(row)
    for k in range(1, len(row)):
        cell = row[k]
        if cell.strip() and cell == row[k - 1] and not any(ch.isdigit() for ch in cell):
            out[k] = ""
    return out


def markdown_to_blocks(markdown: str) -> list[Block]:
    """Split Markdown into heading / paragraph / list_item / table blocks in reading order,
    numbering them with ``paragraph_index`` (0-based, in block order)."""
    blocks: list[Block] = []
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    para: list[str] = []
    i = 0

    def flush_para() -> None:
        text = clean_inline("\n".join(para))
        para.clear()
        if text:
            blocks.append(Block(kind=BlockKind.paragraph, text=text))

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush_para()
            i += 1
            continue
        if _FENCE.match(line):
            flush_para()
            j = i + 1
            while j < len(lines) and not _FENCE.match(lines[j]):
                j += 1
            code = "\n".join(lines[i + 1 : j]).strip()
            if code:
                blocks.append(Block(kind=BlockKind.paragraph, text=code))
            i = j + 1
            continue
        if stripped.startswith("|"):
            flush_para()
            rows: list[list[str]] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                if not _TABLE_SEP.match(lines[i].strip()):
                    rows.append(split_table_row(lines[i]))
                i += 1
            blocks.extend(table_blocks(rows))
            continue
        m = _HEADING.match(stripped)
        if m:
            flush_para()
            text = clean_inline(m.group(2))
            if text:
                blocks.append(Block(kind=BlockKind.heading, text=text, level=len(m.group(1))))
            i += 1
            continue
        m = _LIST.match(line)
        if m:
            flush_para()
            text = clean_inline(m.group(2))
            if text:
                blocks.append(Block(kind=BlockKind.list_item, text=text))
            i += 1
            continue
        para.append(line)
        i += 1
    flush_para()
    for n, b in enumerate(blocks):
        b.paragraph_index = n
    return blocks
