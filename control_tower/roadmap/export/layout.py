"""What every exporter writes, decided once: cleaned text, fitted tables, the sources appendix.

Rules (the same for Markdown, DOCX and HWPX, so the formats cannot disagree):

- Text is NFC-normalised, ``\\r\\n``/``\\r`` become ``\\n``, and characters XML cannot carry
  (C0/C1 controls except tab and newline, lone surrogates, U+FFFE/U+FFFF) are dropped —
  python-docx raises on them and a HWPX with them does not open. Headings, the title and
  table titles are one line (newlines and tabs become spaces); a blank line inside a
  paragraph splits it into paragraphs; a single newline stays a line break.
- A table is as wide as its header (or its longest row when the header is empty). Shorter
  rows are padded with empty cells; longer rows are truncated to the header's width, with a
  warning in the log, because cells past the last column have no heading to sit under. Cell
  text is stripped of edge spaces (a pipe table cannot keep them).
  ``numeric`` indexes outside the table are ignored. A table with no columns keeps only its
  title.
- A note is prefixed with "※ " (unless it already starts with "※").
- The sources appendix is always written from ``Document.sources`` (sorted by ``n``), one
  paragraph per entry: ``[n] title (path, p.page / section)``, empty parts left out. If the
  blocks already hold an appendix heading (a heading that, spaces removed, starts with
  "붙임" and mentions "출처"), that heading is the placement marker: the entries go right after
  it and no second heading is added. Otherwise a level-1 heading "붙임. 출처 문서" and the
  entries are appended at the end. Callers must not write the entries into the blocks.
  With no sources and no appendix heading there is no appendix.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from control_tower.roadmap.document import (
    Block,
    Bullets,
    Document,
    Heading,
    Note,
    Paragraph,
    SourceEntry,
    Table,
)
from control_tower.roadmap.export import ExportError

log = logging.getLogger(__name__)

APPENDIX_TITLE = "붙임. 출처 문서"
NOTE_MARK = "※ "
NO_SOURCES_TEXT = "인용된 출처 문서가 없습니다."
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class Layout(BaseModel):
    """A document ready to lay out: every text cleaned, every table rectangular."""

    title: str
    subtitle: str
    blocks: list[Block]


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text)


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def source_line(entry: SourceEntry) -> str:
    where = " / ".join(p for p in (f"p.{entry.page}" if entry.page else "", entry.section) if p)
    locator = ", ".join(p for p in (one_line(entry.path), one_line(where)) if p)
    head = f"[{entry.n}] {one_line(entry.title)}"
    return f"{head} ({locator})" if locator else head


def fit_table(table: Table) -> Table:
    width = len(table.header) or max((len(r) for r in table.rows), default=0)
    header = [clean(c).strip() for c in table.header] or [""] * width
    long_rows = sum(1 for r in table.rows if len(r) > width)
    if long_rows:
        log.warning("table %r: %d row(s) longer than the header truncated", table.title, long_rows)
    rows = [[clean(c).strip() for c in (r + [""] * width)[:width]] for r in table.rows]
    numeric = sorted({i for i in table.numeric if 0 <= i < width})
    return Table(title=one_line(table.title), header=header, rows=rows, numeric=numeric)


def _is_appendix_heading(block: Block) -> bool:
    if not isinstance(block, Heading):
        return False
    squeezed = "".join(block.text.split())
    return squeezed.startswith("붙임") and "출처" in squeezed


def _clean_block(block: Block) -> list[Block]:
    if isinstance(block, Heading):
        text = one_line(block.text)
        return [Heading(level=block.level, text=text)] if text else []
    if isinstance(block, Paragraph):
        parts = re.split(r"\n\s*\n", clean(block.text).strip())
        return [Paragraph(text=p.strip("\n")) for p in parts if p.strip()]
    if isinstance(block, Bullets):
        items = [clean(i).strip() for i in block.items]
        return [Bullets(items=[i for i in items if i])] if any(items) else []
    if isinstance(block, Table):
        return [fit_table(block)]
    text = clean(block.text).strip()
    return [Note(text=text if text.startswith("※") else NOTE_MARK + text)]


def prepare(doc: Document) -> Layout:
    """The laid-out content of ``doc`` under the rules in the module docstring."""
    blocks: list[Block] = []
    entries: list[Block] = [
        Paragraph(text=source_line(s)) for s in sorted(doc.sources, key=lambda s: s.n)
    ]
    placed = False
    for block in doc.blocks:
        blocks.extend(_clean_block(block))
        if not placed and _is_appendix_heading(block):
            blocks.extend(entries or [Paragraph(text=NO_SOURCES_TEXT)])
            placed = True
    if not placed and entries:
        blocks.append(Heading(level=1, text=APPENDIX_TITLE))
        blocks.extend(entries)
    return Layout(title=one_line(doc.title), subtitle=one_line(doc.subtitle), blocks=blocks)


def write_atomically(path: Path, save: Callable[[Path], object]) -> Path:
    """Run ``save`` on a temporary file beside ``path``, then move it into place.

    A reader (a download, the CLI's re-check) never sees a half-written file; the temporary
    name keeps the suffix because python-hwpx picks the format from it.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError("export_dir_missing", f"내보낼 폴더가 없습니다: {path.parent}")
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        message = f"파일을 쓸 수 없습니다: {path} ({exc.strerror or exc})"
        raise ExportError("export_write_failed", message) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path
