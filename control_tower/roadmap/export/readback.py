"""Read an exported file back: what a reader of it would find, in document order.

Used by the conformance tests and by the CLI/eval to check a written file, so each reader
opens the file with the format's own library (python-docx, python-hwpx) rather than trusting
the writer. ``ReadBack.items`` is the document in order: headings with their level (0 = the
document title), paragraphs (notes, table titles and source entries included), bullet items
and tables (header row first, cell texts as written). Heading detection follows each
writer's convention: the "Title"/"Heading n" styles in DOCX, runs that are all bold in one
heading size in HWPX, ``#`` lines in Markdown; bullets are "List Bullet" in DOCX, "○ "
paragraphs in HWPX and ``- `` items in Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from control_tower.roadmap.export import ExportError, exporter_for

Kind = Literal["heading", "paragraph", "bullet", "table"]


class Item(BaseModel):
    kind: Kind
    text: str = ""
    level: int = 0  # headings only; 0 = the document title
    cells: list[list[str]] = Field(default_factory=list)  # tables only


class ReadBack(BaseModel):
    items: list[Item] = Field(default_factory=list)

    def _texts(self, kind: Kind) -> list[str]:
        return [i.text for i in self.items if i.kind == kind]

    @property
    def headings(self) -> list[tuple[int, str]]:
        return [(i.level, i.text) for i in self.items if i.kind == "heading"]

    @property
    def paragraphs(self) -> list[str]:
        return self._texts("paragraph")

    @property
    def bullets(self) -> list[str]:
        return self._texts("bullet")

    @property
    def tables(self) -> list[list[list[str]]]:
        return [i.cells for i in self.items if i.kind == "table"]

    def heading_texts(self) -> list[str]:
        return [i.text for i in self.items if i.kind == "heading"]

    def all_text(self) -> list[str]:
        return [i.text for i in self.items] + [c for t in self.tables for r in t for c in r]


_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_RULE_ROW = re.compile(r"\|( -{3}:? \|)+")


def _md_text(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text)


def _md_cells(line: str) -> list[str]:
    cells, current, chars = [], "", iter(line.strip()[1:])
    for ch in chars:
        if ch == "\\":
            current += ch + next(chars, "")
        elif ch == "|":
            cells.append(current)
            current = ""
        else:
            current += ch
    return [_md_text(c.strip().replace("<br>", "\n")) for c in cells]


def read_markdown(path: Path) -> ReadBack:
    out, kind, buf, table = ReadBack(), "paragraph", [], None

    def flush() -> None:
        nonlocal kind, buf
        if buf:
            text = "\n".join(line.removesuffix("  ") for line in buf)
            out.items.append(Item(kind=kind, text=_md_text(text)))
        kind, buf = "paragraph", []

    for line in Path(path).read_text(encoding="utf-8").split("\n"):
        if line.startswith("|"):
            flush()
            if table is None:
                table = Item(kind="table")
                out.items.append(table)
            if not _RULE_ROW.fullmatch(line):
                table.cells.append(_md_cells(line))
            continue
        table = None
        if not line.strip():
            flush()
        elif m := re.match(r"(#+) (.*)", line):
            flush()
            out.items.append(Item(kind="heading", level=len(m[1]) - 1, text=_md_text(m[2])))
        elif line.startswith("- "):
            flush()
            kind, buf = "bullet", [line[2:]]
        elif line.startswith("> "):
            buf.append(line[2:])
        elif re.fullmatch(r"\*\*.*\*\*", line) and not buf:
            out.items.append(Item(kind="paragraph", text=_md_text(line[2:-2])))
        else:
            buf.append(line[2:] if kind == "bullet" and line.startswith("  ") else line)
    flush()
    return out


def read_docx(path: Path) -> ReadBack:
    import docx
    from docx.table import Table as DocxTable

    out = ReadBack()
    for block in docx.Document(str(path)).iter_inner_content():
        if isinstance(block, DocxTable):
            cells = [[cell.text for cell in row.cells] for row in block.rows]
            out.items.append(Item(kind="table", cells=cells))
            continue
        style = block.style.name if block.style is not None else ""
        if style == "Title" or style.startswith("Heading "):
            level = 0 if style == "Title" else int(style.split()[-1])
            out.items.append(Item(kind="heading", level=level, text=block.text))
        elif style == "List Bullet":
            out.items.append(Item(kind="bullet", text=block.text))
        elif block.text:
            out.items.append(Item(kind="paragraph", text=block.text))
    return out


def _bold_height(shape) -> int | None:
    """A character shape's size in 1/100 pt when it is bold, else None."""
    if shape is None or "bold" not in shape.child_attributes:
        return None
    return int(shape.attributes.get("height", 0))


def read_hwpx(path: Path) -> ReadBack:
    from hwpx import HwpxDocument

    from control_tower.roadmap.export.hwpx import BULLET_MARK, HEADING_SIZES, TITLE_SIZE

    levels = {TITLE_SIZE * 100: 0} | {pt * 100: lv for lv, pt in HEADING_SIZES.items()}
    out = ReadBack()
    with HwpxDocument.open(str(path)) as document:
        for p in document.paragraphs:
            for table in p.tables:
                cells = [[c.text for c in row.cells] for row in table.rows]
                out.items.append(Item(kind="table", cells=cells))
            if not p.text:
                continue
            sizes = {_bold_height(document.styles.char_property(r.char_pr_id_ref)) for r in p.runs}
            if len(sizes) == 1 and (size := sizes.pop()) in levels:
                out.items.append(Item(kind="heading", level=levels[size], text=p.text))
            elif p.text.startswith(BULLET_MARK):
                out.items.append(Item(kind="bullet", text=p.text.removeprefix(BULLET_MARK)))
            else:
                out.items.append(Item(kind="paragraph", text=p.text))
    return out


def read_back(path: str | Path) -> ReadBack:
    """Read ``path`` with the reader its suffix names (``ExportError`` for another suffix)."""
    target = Path(path)
    suffix = exporter_for(target).suffix
    if not target.is_file():
        raise ExportError("export_missing", f"내보낸 파일이 없습니다: {target}")
    readers = {".md": read_markdown, ".docx": read_docx, ".hwpx": read_hwpx}
    return readers[suffix](target)
