"""Ruled tables on PDF pages: pdfplumber (MIT) finds the grid, pdfium supplies the text.

pdfplumber's ``lines`` strategy rebuilds cells from drawn borders, which is how Korean
administrative PDFs (보고서, 사업계획서 exported from HWP) and reportlab GRID tables draw their
tables. Only the cell geometry is taken from it: the text of cells and of the rest of the page
comes from pdfium's character list, the same text the plain page path uses, so Korean CID-font
text reads the same inside and outside tables and every character lands in exactly one place
(a cell or the surrounding prose), never both.

pdfplumber is slow (pdfminer interprets the page in Python: ~60–100 ms for a page of text), so
a page goes to it only when pdfium's path objects could form a grid (three horizontal and three
vertical line segments at least: a rule under a heading or a framed paragraph does not), and a
document gets a bounded number of analysed pages and seconds; past that, pages keep the
text-only path and a warning says so.
"""

from __future__ import annotations

import ctypes
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from control_tower.domain import Block, BlockKind
from ingest.parsers.markdown_blocks import render_table

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
# Per-document budget for pdfplumber: beyond it pages stay text-only (with a warning).
MAX_TABLE_PAGES = 300
TABLE_TIME_BUDGET_S = 20.0
# More drawn objects or path segments than this is a chart, map or drawing: pdfplumber's edge
# merging would spend seconds on it and find no table worth having.
MAX_PATH_OBJECTS = 3000
MAX_PATH_SEGMENTS = 20000
# A grid of at least 2 × 2 cells has at least 3 horizontal and 3 vertical borders.
MIN_RULES = 3
MIN_RULE_LENGTH = 3.0  # points; pdfplumber's default edge_min_length
# pdfplumber's and pdfium's character counts inside a table must agree this closely, or the
# two libraries disagree about where things are and the table is left as text.
_COUNT_TOLERANCE = 0.1

BBox = tuple[float, float, float, float]  # left, bottom, right, top in PDF user space


@dataclass
class Cell:
    row: int
    col: int
    box: BBox


@dataclass
class Grid:
    """One ruled table: its cells in PDF user space (the space pdfium's char boxes use)."""

    bbox: BBox
    cells: list[Cell]
    n_rows: int
    n_cols: int
    plumber_chars: int  # non-space characters pdfplumber saw inside the table
    plumber_table: object  # the pdfplumber Table, for its own reading of the cells

    def plumber_texts(self) -> dict[tuple[int, int], str]:
        """pdfplumber's text per (row, column), to fill in what pdfium dropped."""
        rows = self.plumber_table.extract()  # same shape as the table's rows of cells
        return {(c.row, c.col): rows[c.row][c.col] or "" for c in self.cells}


@dataclass
class TableFinder:
    """Reads the ruled tables of one document page by page, opening it with pdfplumber only
    when the first page that could hold a grid turns up, within the document's budget."""

    path: Path
    n_pages: int
    warnings: list[str] = field(default_factory=list)
    _plumber: object | None = None
    _disabled: bool = False
    _analysed: int = 0
    _seconds: float = 0.0
    _skipped_budget: list[int] = field(default_factory=list)
    _skipped_drawings: list[int] = field(default_factory=list)

    def page_pieces(self, index: int, page, textpage) -> list[str | Block] | None:
        """Page ``index`` (0-based; pdfium page and text page) as prose runs and table
        blocks (see ``split_page``), or None when the page keeps the text-only path: it draws
        no grid, holds no real table, the budget is spent or tables are off. Exceptions from
        pdfplumber propagate; the caller decides what a failure costs."""
        if self._disabled:
            return None
        drawing = page_drawing(page)
        if drawing == "complex":
            self._skipped_drawings.append(index + 1)
        if drawing != "grid":
            return None
        if self._analysed >= MAX_TABLE_PAGES or self._seconds >= TABLE_TIME_BUDGET_S:
            self._skipped_budget.append(index + 1)
            return None
        try:
            plumber = self._open()
        except Exception as e:  # pdfminer cannot read what pdfium can: no tables, text stays
            self.disable(f"pdfplumber cannot open it ({type(e).__name__}: {e})"[:200])
            return None
        started = time.perf_counter()
        plumber_page = plumber.pages[index]
        try:
            grids = find_grids(plumber_page)
            return split_page(textpage, grids) if grids else None
        finally:
            plumber_page.close()
            self._analysed += 1
            self._seconds += time.perf_counter() - started

    def disable(self, reason: str) -> None:
        """Stop looking for tables in this document (after an error that may repeat)."""
        self._disabled = True
        self.warnings.append(f"table recovery off for the rest of the document: {reason}")
        self.close()

    def _open(self):
        if self._plumber is None:
            import pdfplumber

            self._plumber = pdfplumber.open(self.path)
            if len(self._plumber.pages) != self.n_pages:
                raise ValueError("pdfplumber and pdfium disagree on the page count")
        return self._plumber

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()
            self._plumber = None

    def finish(self) -> list[str]:
        """Close pdfplumber and return the warnings about pages left without table recovery."""
        self.close()
        if self._skipped_budget:
            self.warnings.append(
                f"tables not recovered on {len(self._skipped_budget)} pages from page "
                f"{self._skipped_budget[0]} on (budget: {MAX_TABLE_PAGES} pages, "
                f"{TABLE_TIME_BUDGET_S:.0f} s); kept as text"
            )
        if self._skipped_drawings:
            self.warnings.append(
                f"tables not recovered on {len(self._skipped_drawings)} pages with more than "
                f"{MAX_PATH_OBJECTS} drawn objects or {MAX_PATH_SEGMENTS} path segments "
                f"(first: page {self._skipped_drawings[0]}); kept as text"
            )
        return self.warnings


def page_drawing(page) -> str:
    """What a pdfium page draws, cheaply (≈1 ms): ``"grid"`` when its straight line segments
    (rectangle sides included) could border a table of 2 × 2 cells or more, ``"complex"``
    when it draws too much to hand to pdfplumber, else ``"none"``."""
    import pypdfium2.raw as pdfium_c

    paths = list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=4))
    if not paths:
        return "none"
    if len(paths) > MAX_PATH_OBJECTS:
        return "complex"
    if sum(max(0, pdfium_c.FPDFPath_CountSegments(p)) for p in paths) > MAX_PATH_SEGMENTS:
        return "complex"
    horizontal = vertical = 0
    x, y = ctypes.c_float(), ctypes.c_float()
    for path in paths:
        matrix = path.get_matrix()
        start = previous = None
        for i in range(pdfium_c.FPDFPath_CountSegments(path)):
            segment = pdfium_c.FPDFPath_GetPathSegment(path, i)
            if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                continue
            point = matrix.on_point(x.value, y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            lines = []
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = point
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO and previous is not None:
                lines.append((previous, point))
            if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
                lines.append((point, start))
            previous = point
            for (x0, y0), (x1, y1) in lines:
                dx, dy = abs(x1 - x0), abs(y1 - y0)
                horizontal += dy < 1 and dx >= MIN_RULE_LENGTH
                vertical += dx < 1 and dy >= MIN_RULE_LENGTH
            if horizontal >= MIN_RULES and vertical >= MIN_RULES:
                return "grid"
    return "none"


def find_grids(plumber_page) -> list[Grid]:
    """The ruled tables pdfplumber finds on a page with at least two rows and two columns
    (a single ruled box is a framed paragraph, not a table), converted to PDF user space."""
    to_pdf = _plumber_to_pdf(plumber_page)
    grids = []
    for table in plumber_page.find_tables(TABLE_SETTINGS):
        rows = table.rows
        n_cols = max((len(r.cells) for r in rows), default=0)
        if len(rows) < 2 or n_cols < 2:
            continue
        cells = [
            Cell(r, c, to_pdf(box))
            for r, row in enumerate(rows)
            for c, box in enumerate(row.cells)
            if box is not None
        ]
        x0, top, x1, bottom = table.bbox
        chars = sum(
            1
            for ch in plumber_page.chars
            if ch["text"].strip()
            and x0 <= (ch["x0"] + ch["x1"]) / 2 <= x1
            and top <= (ch["top"] + ch["bottom"]) / 2 <= bottom
        )
        grids.append(Grid(to_pdf(table.bbox), cells, len(rows), n_cols, chars, table))
    return grids


def _plumber_to_pdf(plumber_page):
    """A function mapping a pdfplumber box (x0, top, x1, bottom: top-left origin, rotated
    display space, shifted by the MediaBox) back to PDF user space (bottom-left origin,
    unrotated), undoing pdfminer's page matrix and pdfplumber's flip."""
    mx0, my0, mx1, my1 = plumber_page.page_obj.mediabox
    rotate = plumber_page.page_obj.rotate
    # pdfminer's PDFPageInterpreter.process_page: user space → layout space.
    a, b, c, d, e, f = {
        90: (0, -1, 1, 0, -my0, mx1),
        180: (-1, 0, 0, -1, mx1, my1),
        270: (0, 1, -1, 0, my1, -mx0),
    }.get(rotate, (1, 0, 0, 1, -mx0, -my0))
    det = a * d - b * c
    shift_x, shift_top = plumber_page.mediabox[:2]
    height = plumber_page.height

    def point(x: float, top: float) -> tuple[float, float]:
        lx, ly = x - shift_x - e, height - top + shift_top - f
        return (d * lx - c * ly) / det, (a * ly - b * lx) / det

    def box(b_: tuple[float, float, float, float]) -> BBox:
        (px0, py0), (px1, py1) = point(b_[0], b_[1]), point(b_[2], b_[3])
        return min(px0, px1), min(py0, py1), max(px0, px1), max(py0, py1)

    return box


def _inside(x: float, y: float, box: BBox) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _cell_text(parts: list[str], plumber_text: str | None) -> str:
    """One Markdown cell: pdfium's text, lines joined by spaces. pdfium silently drops some
    glyphs (a text object of one Hangul syllable in a font without glyph boxes, as reportlab's
    built-in CID fonts are: a lone "계" or "합계" cell), so pdfplumber's reading of the cell
    replaces it when it holds every pdfium character in order plus more; where pdfplumber
    itself loses characters (it drops "·" and "€" in those fonts) or reads ``(cid:…)``
    codes, pdfium's text stays."""
    text = re.sub(r"\s+", " ", "".join(parts)).strip()
    if not plumber_text:
        return text
    better = re.sub(r"\s+", " ", plumber_text).strip()
    ours, theirs = _squash(text), _squash(better)
    if len(theirs) > len(ours) and "(cid:" not in better and _is_subsequence(ours, theirs):
        return better
    return text


def _is_subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


def _table_block(rows: list[list[str]]) -> Block | None:
    """Rows of cell texts as a table block, empty rows and columns dropped; None when what is
    left is one column of text (a ruled box around prose, not a table).

    Not ``markdown_blocks.table_blocks``: that one also merges equal neighbouring cells (HWP
    converters repeat a merged cell's text), which would eat real repeats such as
    ``| 16 | 16 |`` in a budget table; pdfplumber leaves merged cells' extra slots empty."""
    rows = [r for r in rows if any(c for c in r)]
    keep = [j for j in range(max((len(r) for r in rows), default=0)) if any(r[j] for r in rows)]
    rows = [[r[j] for j in keep] for r in rows]
    if all(sum(1 for c in r if c) <= 1 for r in rows):
        return None
    return Block(kind=BlockKind.table, text=render_table(rows))


def split_page(textpage, grids: list[Grid]) -> list[str | Block] | None:
    """The page in reading order (pdfium's character order): runs of prose text outside the
    tables, and each table as a table block (``page`` unset) where its first character is.
    Returns None when no grid holds a real table, so the caller keeps its text-only path.
    A grid that is no real table (one column of text, or the two libraries' character counts
    disagree) gives its characters back to the prose.
    """
    owners, pdfium_chars = _owners(textpage, grids)
    cells: list[dict[tuple[int, int], list[str]]] = [{} for _ in grids]
    for owner, text in _runs(textpage, owners):
        if owner is not None:
            g, r, c = owner
            cells[g].setdefault((r, c), []).append(text)

    tables: dict[int, Block] = {}
    for g, grid in enumerate(grids):
        if not cells[g] or not _counts_agree(grid.plumber_chars, pdfium_chars[g]):
            continue
        # Always asked for: each library drops characters the other keeps, so the totals
        # do not tell whether pdfium lost any.
        fallback = grid.plumber_texts()
        rows = [[""] * grid.n_cols for _ in range(grid.n_rows)]
        for cell in grid.cells:
            key = (cell.row, cell.col)
            rows[cell.row][cell.col] = _cell_text(cells[g].get(key, []), fallback.get(key))
        block = _table_block(rows)
        if block is not None:
            tables[g] = block
    if not tables:
        return None

    owners = [o if o is not None and o[0] in tables else None for o in owners]
    pieces: list[str | Block] = []
    for owner, text in _runs(textpage, owners):
        if owner is None:
            pieces.append(text)
        elif owner[0] in tables:
            pieces.append(tables.pop(owner[0]))  # at the table's first character, once
    return pieces


Owner = tuple[int, int, int] | None  # (grid, row, column), or None for prose


def _owners(textpage, grids: list[Grid]) -> tuple[list[Owner], list[int]]:
    """Every character's owner: the cell whose box holds the centre of its (loose) box, or
    the prose. Generated characters (pdfium's inserted spaces and line breaks) have no box of
    their own and go with the character before them. Also counts the non-space characters
    inside each grid's box, to compare with pdfplumber's count."""
    import pypdfium2.raw as pdfium_c

    owners: list[Owner] = []
    counts = [0] * len(grids)
    previous: Owner = None
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:
            owners.append(previous)
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        x, y = (left + right) / 2, (bottom + top) / 2
        owner = None
        for g, grid in enumerate(grids):
            if _inside(x, y, grid.bbox):
                if not chr(pdfium_c.FPDFText_GetUnicode(textpage, i)).isspace():
                    counts[g] += 1
                owner = next(((g, c.row, c.col) for c in grid.cells if _inside(x, y, c.box)), None)
                break
        owners.append(owner)
        previous = owner
    return owners, counts


def _runs(textpage, owners: list[Owner]) -> list[tuple[Owner, str]]:
    """Consecutive characters with one owner, read with get_text_range: the call the text-only
    path uses, so characters pdfium excludes or inserts behave the same."""
    runs = []
    start = 0
    for i in range(1, len(owners) + 1):
        if i == len(owners) or owners[i] != owners[start]:
            runs.append((owners[start], textpage.get_text_range(start, i - start)))
            start = i
    return runs


def _counts_agree(plumber: int, pdfium: int) -> bool:
    return abs(plumber - pdfium) <= max(2, _COUNT_TOLERANCE * max(plumber, pdfium))
