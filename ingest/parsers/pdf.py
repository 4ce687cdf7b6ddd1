"""PDF: pypdfium2 (Apache-2.0/BSD-3) text per page, 1–4 ms/page; ruled tables as Markdown.

Pages become paragraph blocks carrying ``page``. PDF text has no paragraph markup, so lines
are regrouped: a new paragraph starts after a line that ends a sentence or before a line that
starts with a bullet / item marker (○ □ - 1. 가. …), the way Korean administrative documents
are laid out.

Ruled tables (drawn cell borders, as HWP-exported 보고서 and reportlab GRID tables have)
become Markdown table blocks in reading order, their text taken out of the paragraphs
(``ingest.parsers.pdf_tables``: pdfplumber finds the grid, pdfium reads the text). Only pages
whose drawn lines could border a grid go to pdfplumber (~60–120 ms per page; checking costs
~1 ms), within a per-document budget. Pages without such drawings read exactly as before;
pages past the budget and pages whose table recovery fails keep that text-only path with a
warning. Tables never fail a document.
"""

from __future__ import annotations

import re
from pathlib import Path

from control_tower.domain import Block, BlockKind, ParsedDocument
from ingest.detect import DetectedFormat
from ingest.errors import IngestError
from ingest.parsers.base import Parser, guard, register
from ingest.parsers.pdf_tables import TableFinder

# A page with fewer non-space characters than this is treated as an image-only page.
MIN_PAGE_CHARS = 10
# After this many pages whose table recovery raised, stop trying in that document.
MAX_TABLE_FAILURES = 3
_ITEM_START = re.compile(r"^\s*([○◦□■●◎▶▷※•·∙\-–*]|\d{1,2}[.)]|[가-하][.)]|\(\d{1,2}\)|[①-⑳])\s*")
_SENTENCE_END = re.compile(r"([.!?。:]|다|음|함|임)\s*$")


def _paragraphs(page_text: str) -> list[str]:
    paras: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            paras.append("\n".join(current))
            current.clear()

    for raw in page_text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        if current and (_ITEM_START.match(line) or _SENTENCE_END.search(current[-1])):
            flush()
        current.append(line)
    flush()
    return paras


def _table_pieces(
    tables: TableFinder, index: int, page, textpage, failures: list[tuple[int, Exception]]
) -> list | None:
    """The page as prose runs and table blocks, or None for the text-only path (no table,
    or table recovery failed: recorded in ``failures``, never raised)."""
    try:
        return tables.page_pieces(index, page, textpage)
    except MemoryError:
        tables.disable("out of memory")
    except Exception as e:  # pdfminer/pdfplumber raise anything on odd files
        failures.append((index + 1, e))
        if len(failures) >= MAX_TABLE_FAILURES:
            tables.disable(f"{len(failures)} pages failed")
    return None


@register
class PdfParser(Parser):
    name = "pdfium"
    formats = ("pdf",)

    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        return guard(self.name, lambda: self._parse(Path(path)))

    def _parse(self, path: Path) -> ParsedDocument:
        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c

        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as e:
            code = getattr(e, "err_code", None)
            if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
                raise IngestError("encrypted", detail=f"pdfium: {e}") from None
            with path.open("rb") as f:
                f.seek(max(0, path.stat().st_size - 2048))
                tail = f.read()
            kind = "corrupt" if b"%%EOF" in tail else "truncated"
            raise IngestError(kind, detail=f"pdfium: {e}") from None
        tables = TableFinder(path, len(pdf))
        failures: list[tuple[int, Exception]] = []
        try:
            blocks: list[Block] = []
            empty_pages = 0
            n_pages = len(pdf)
            for i in range(n_pages):
                page = pdf[i]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                has_text = len(re.sub(r"\s", "", text)) >= MIN_PAGE_CHARS
                pieces = _table_pieces(tables, i, page, textpage, failures) if has_text else None
                textpage.close()
                page.close()
                if not has_text:
                    empty_pages += 1
                    continue
                for piece in pieces or [text]:
                    if isinstance(piece, Block):
                        piece.page = i + 1
                        blocks.append(piece)
                        continue
                    for para in _paragraphs(piece):
                        blocks.append(Block(kind=BlockKind.paragraph, text=para, page=i + 1))
            title = (pdf.get_metadata_value("Title") or "").strip() or None
        finally:
            table_warnings = tables.finish()
            pdf.close()
        if not blocks:
            raise IngestError("no_text_layer", detail=f"{n_pages} pages without text")
        warnings = []
        if empty_pages:
            warnings.append(f"{empty_pages}/{n_pages} pages without text layer (scanned?)")
        if failures:
            first = failures[0][1]
            error = f"{type(first).__name__}: {first}"[:200]
            pages = ", ".join(str(n) for n, _ in failures)
            warnings.append(f"table recovery failed on page(s) {pages} ({error}); kept as text")
        warnings += table_warnings
        return ParsedDocument(
            title=title, blocks=blocks, parser=self.name, page_count=n_pages, warnings=warnings
        )
