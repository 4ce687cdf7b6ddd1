"""Ruled PDF tables come out as Markdown table blocks with their page, in reading order, their
text taken out of the paragraphs; pages without tables read exactly as the text-only path.
All PDFs are made here with reportlab's built-in Korean CID font, as the demo corpus is."""

from __future__ import annotations

from pathlib import Path

import pytest

from control_tower.domain import BlockKind, DocumentMeta, ParsedDocument
from ingest.parsers import pdf_tables
from ingest.parsers.pdf import PdfParser

FONT = "HYSMyeongJo-Medium"
INTRO = "포항시 디지털융합산업과는 인공지능 민원상담 사업을 추진한다."
OUTRO = "추진 결과는 분기마다 시의회에 보고한다."
PAGE_TWO = [
    "두 번째 쪽에는 표가 없다.",
    "○ 본문 문단만 이어지며 항목 기호로 나뉜다",
    "○ 두 번째 항목은 줄을 바꾸어",
    "이어서 쓴다.",
]
TABLE = [
    ["구분", "사업명", "예산(백만원)"],
    ["1단계", "AI 민원상담 시범운영", "120"],
    ["2단계\n확산", "스마트 신호 | 최적화", "340"],
    ["3단계", "", "560"],
]
EXPECTED_TABLE = (
    "| 구분 | 사업명 | 예산(백만원) |\n"
    "|---|---|---|\n"
    "| 1단계 | AI 민원상담 시범운영 | 120 |\n"
    "| 2단계 확산 | 스마트 신호 \\| 최적화 | 340 |\n"
    "| 3단계 |  | 560 |"
)


def _styles():
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK")


def _grid(rows: list[list[str]], spans: list = ()):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=[110, 200, 110])
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), FONT)]
    table.setStyle(TableStyle(style + [("SPAN", a, b) for a, b in spans]))
    return table


def _build(path: Path, story: list) -> Path:
    from reportlab.platypus import SimpleDocTemplate

    SimpleDocTemplate(str(path)).build(story)
    return path


def make_report(path: Path) -> Path:
    """Page 1: paragraph, GRID table (header + 3 rows, one cell of two lines), paragraph.
    Page 2: paragraphs only."""
    from reportlab.platypus import PageBreak, Paragraph

    body = _styles()
    return _build(
        path,
        [
            Paragraph(INTRO, body),
            _grid(TABLE),
            Paragraph(OUTRO, body),
            PageBreak(),
            *[Paragraph(line, body) for line in PAGE_TWO],
        ],
    )


def parse(path: Path) -> ParsedDocument:
    return PdfParser().parse(path)


def parse_text_only(path: Path, monkeypatch) -> ParsedDocument:
    """The parser as it was before tables: no page ever reaches pdfplumber."""
    with monkeypatch.context() as m:
        m.setattr(pdf_tables, "page_drawing", lambda page: "none")
        return parse(path)


def dump(doc: ParsedDocument) -> list[tuple]:
    return [(b.kind, b.text, b.page) for b in doc.blocks]


@pytest.fixture
def report(tmp_path) -> Path:
    return make_report(tmp_path / "report.pdf")


def test_table_becomes_markdown_block_on_its_page(report):
    doc = parse(report)
    tables = [b for b in doc.blocks if b.kind == BlockKind.table]
    assert [(t.page, t.text) for t in tables] == [(1, EXPECTED_TABLE)]
    assert doc.warnings == []


def test_reading_order_paragraph_table_paragraph(report):
    page_one = [(b.kind, b.text) for b in parse(report).blocks if b.page == 1]
    assert page_one == [
        (BlockKind.paragraph, INTRO),
        (BlockKind.table, EXPECTED_TABLE),
        (BlockKind.paragraph, OUTRO),
    ]


def test_cell_text_is_not_repeated_in_paragraphs(report, monkeypatch):
    prose = "\n".join(b.text for b in parse(report).blocks if b.kind != BlockKind.table)
    for cell in ["구분", "사업명", "AI 민원상담 시범운영", "스마트 신호", "340", "확산", "3단계"]:
        assert cell not in prose
    # …while the text-only path had them all as loose lines.
    loose = "\n".join(b.text for b in parse_text_only(report, monkeypatch).blocks)
    assert "AI 민원상담 시범운영" in loose and "3단계" in loose


def test_page_without_table_reads_as_text_only_path(report, monkeypatch):
    with_tables = [b for b in dump(parse(report)) if b[2] == 2]
    text_only = [b for b in dump(parse_text_only(report, monkeypatch)) if b[2] == 2]
    assert with_tables == text_only
    assert [text for _, text, _ in with_tables] == [
        PAGE_TWO[0],
        PAGE_TWO[1],
        PAGE_TWO[2] + "\n" + PAGE_TWO[3],
    ]


def test_rules_and_frames_never_reach_pdfplumber(tmp_path, monkeypatch):
    """A rule under a heading and a framed paragraph cannot border a 2 × 2 grid: pdfplumber
    is not even opened and the page reads exactly as the text-only path."""
    import pdfplumber
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle
    from reportlab.platypus.flowables import HRFlowable

    body = _styles()
    box = Table([[Paragraph("□ 추진배경은 상자 안에 적는다.", body)]], colWidths=[400])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.black)]))
    path = _build(
        tmp_path / "drawn.pdf",
        [Paragraph(INTRO, body), HRFlowable(width="100%"), box, Paragraph(OUTRO, body)],
    )
    text_only = dump(parse_text_only(path, monkeypatch))

    def refuse(path):
        raise AssertionError("pdfplumber opened")

    monkeypatch.setattr(pdfplumber, "open", refuse)
    doc = parse(path)
    assert dump(doc) == text_only
    assert doc.warnings == []


def test_grid_with_one_column_of_text_stays_prose(tmp_path, monkeypatch):
    """A 2 × 2 ruled grid whose second column is empty is a layout frame, not a table."""
    from reportlab.platypus import Paragraph

    body = _styles()
    rows = [["□ 추진배경 항목", ""], ["○ 세부 내용 항목", ""]]
    path = _build(tmp_path / "frame.pdf", [Paragraph(INTRO, body), _grid(rows)])
    doc = parse(path)
    assert dump(doc) == dump(parse_text_only(path, monkeypatch))
    assert not any(b.kind == BlockKind.table for b in doc.blocks)


def test_merged_cells_leave_empty_slots(tmp_path):
    rows = [
        ["구분", "예산", ""],
        ["", "국비", "시비"],
        ["1단계", "100", "50"],
        ["2단계", "200", "50"],
    ]
    path = _build(
        tmp_path / "merged.pdf", [_grid(rows, spans=[((1, 0), (2, 0)), ((0, 0), (0, 1))])]
    )
    [table] = [b.text for b in parse(path).blocks if b.kind == BlockKind.table]
    assert table.splitlines() == [
        "| 구분 | 예산 |  |",
        "|---|---|---|",
        "|  | 국비 | 시비 |",
        "| 1단계 | 100 | 50 |",
        "| 2단계 | 200 | 50 |",
    ]


def test_numbers_repeated_across_columns_are_kept(tmp_path):
    rows = [["연도", "2025", "2026", "2027"], ["사업비", "16", "16", "16"], ["인원", "3", "3", "4"]]
    path = _build(tmp_path / "repeat.pdf", [_grid(rows)])
    [table] = [b.text for b in parse(path).blocks if b.kind == BlockKind.table]
    assert "| 사업비 | 16 | 16 | 16 |" in table and "| 인원 | 3 | 3 | 4 |" in table


def test_cells_pdfium_drops_are_read_by_pdfplumber(tmp_path):
    """pdfium skips a text object of one Hangul syllable in reportlab's CID font (no glyph
    boxes): a lone "계" cell. pdfplumber's reading fills it in."""
    rows = [["구분", "국비", "시비"], ["1단계", "100", "50"], ["계", "100", "50"]]
    path = _build(tmp_path / "total.pdf", [_grid(rows)])
    [table] = [b.text for b in parse(path).blocks if b.kind == BlockKind.table]
    assert table.splitlines()[-1] == "| 계 | 100 | 50 |"


@pytest.mark.parametrize("change", ["rotate", "offset_mediabox"])
def test_rotated_and_shifted_pages_still_find_the_table(report, tmp_path, change):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(report)
    if change == "rotate":
        pdf[0].set_rotation(90)
    else:
        pdf[0].set_mediabox(-50, -60, 545, 782)
    out = tmp_path / f"{change}.pdf"
    pdf.save(out)
    pdf.close()
    doc = parse(out)
    [table] = [b for b in doc.blocks if b.kind == BlockKind.table]
    assert table.page == 1
    # Rotating the page turns the drawn table sideways on screen, so rows and columns swap.
    for cell in ["| 3단계 |", "| 스마트 신호 \\| 최적화 |", "| AI 민원상담 시범운영 |", "| 560 |"]:
        assert cell in table.text
    assert "시범운영" not in "".join(b.text for b in doc.blocks if b.kind != BlockKind.table)


def test_failing_table_extraction_keeps_the_text_with_a_warning(report, monkeypatch):
    text_only = dump(parse_text_only(report, monkeypatch))

    def boom(page):
        raise RuntimeError("boom")

    monkeypatch.setattr(pdf_tables, "find_grids", boom)
    doc = parse(report)
    assert dump(doc) == text_only
    assert any("table recovery failed on page(s) 1" in w and "boom" in w for w in doc.warnings)


def test_pdfplumber_that_cannot_open_the_file_turns_tables_off(report, monkeypatch):
    import pdfplumber

    text_only = dump(parse_text_only(report, monkeypatch))

    def refuse(path):
        raise ValueError("unreadable")

    monkeypatch.setattr(pdfplumber, "open", refuse)
    doc = parse(report)
    assert dump(doc) == text_only
    assert any("table recovery off" in w and "unreadable" in w for w in doc.warnings)


def test_pages_past_the_budget_stay_text_with_a_warning(report, monkeypatch):
    text_only = dump(parse_text_only(report, monkeypatch))
    monkeypatch.setattr(pdf_tables, "MAX_TABLE_PAGES", 0)
    doc = parse(report)
    assert dump(doc) == text_only
    assert any("tables not recovered on 1 pages from page 1" in w for w in doc.warnings)


def test_table_survives_normalize_and_chunking_whole(report):
    from ingest.chunking import chunk_document
    from ingest.normalize import normalize_text
    from ingest.parsers import parse_file

    parsed = parse_file(report)
    meta = DocumentMeta(
        doc_id="d",
        version=1,
        title="t",
        department="디지털융합산업과",
        source_path=str(report),
        doc_type="pdf",
        content_hash="h",
    )
    chunks = chunk_document(parsed, meta, size=600, overlap=90)
    table = normalize_text(EXPECTED_TABLE)  # collapses the empty cell's two spaces
    assert any(table in c.text and c.page == 1 for c in chunks)


def test_demo_corpus_pdf_tables_come_out_as_table_blocks(tmp_path):
    """The demo generator's PDFs (reportlab GRID tables, repeated header rows on page breaks):
    every table's header and rows are in table blocks, and no row text is left in prose.
    Compared without whitespace: cell text wrapped mid-word comes back with a space."""
    from control_tower.demo.generate import plan_corpus
    from control_tower.demo.layout import build_layout, format_cell
    from control_tower.demo.writers.pdf_writer import write_pdf

    def squash(cells) -> tuple[str, ...]:
        return tuple("".join(c.split()) for c in cells)

    pdfs = [(entry, doc) for entry, doc in plan_corpus() if doc.format == "pdf"][:3]
    assert pdfs
    for entry, doc in pdfs:
        layout = build_layout(doc, entry.department)
        path = tmp_path / f"{doc.key}.pdf"
        write_pdf(layout, path)
        parsed = parse(path)
        assert parsed.warnings == []
        rendered = {
            squash(line.strip("|").split(" | "))
            for b in parsed.blocks
            if b.kind == BlockKind.table
            for line in b.text.splitlines()
        }
        prose = "".join("".join(b.text.split()) for b in parsed.blocks if b.kind != BlockKind.table)
        tables = [b.table for b in layout.blocks if b.kind == "table" and b.table is not None]
        assert tables
        for table in tables:
            assert squash(table.header) in rendered, (entry.path, table.header)
            for row in table.rows:
                cells = squash(format_cell(c) for c in row)
                assert cells in rendered, (entry.path, cells)
                assert "".join(cells) not in prose, (entry.path, cells)


def test_pages_drawing_too_much_stay_text_with_a_warning(report, monkeypatch):
    text_only = dump(parse_text_only(report, monkeypatch))
    monkeypatch.setattr(pdf_tables, "MAX_PATH_SEGMENTS", 4)
    doc = parse(report)
    assert dump(doc) == text_only
    assert any("tables not recovered on 1 pages with more than" in w for w in doc.warnings)
