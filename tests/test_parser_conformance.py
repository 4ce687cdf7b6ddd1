"""Every parser meets the same contract on small real files made here with the real writers
(python-docx, openpyxl, python-pptx, reportlab, python-hwpx) and on garbage input."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from control_tower.domain import BlockKind, ParsedDocument
from ingest.detect import detect_format
from ingest.errors import CATALOGUE, IngestError
from ingest.parsers import parse_file, parser_for, registered_formats

SENTENCE = "포항시는 인공지능 행정 서비스를 2026년까지 전 부서에 도입한다"


def make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("주요내용", level=1)
    d.add_heading("추진계획", level=2)
    d.add_paragraph(SENTENCE + ".")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "사업명", "예산"
    t.cell(1, 0).text, t.cell(1, 1).text = "AI 민원상담", "3억원"
    d.save(str(path))


def make_xlsx(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "사업목록"
    ws.append(["부서", "사업", "내용"])
    ws.append(["디지털융합산업과", "AI 민원상담", SENTENCE])
    ws.append(["교통행정과", "스마트 신호", "교차로 신호 최적화"])
    wb.save(str(path))


def make_pptx(path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    s1 = prs.slides.add_slide(prs.slide_layouts[1])
    s1.shapes.title.text = "표지"
    s1.placeholders[1].text = "포항시 디지털 전환"
    s2 = prs.slides.add_slide(prs.slide_layouts[1])
    s2.shapes.title.text = "추진계획"
    s2.placeholders[1].text = SENTENCE
    rows = s2.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(4), Inches(1)).table
    rows.cell(0, 0).text, rows.cell(0, 1).text = "구분", "내용"
    rows.cell(1, 0).text, rows.cell(1, 1).text = "1단계", "시범 운영"
    prs.save(str(path))


def make_pdf(path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
    c = canvas.Canvas(str(path))
    c.setFont("HYSMyeongJo-Medium", 12)
    c.drawString(72, 760, "1페이지: 개요 문서입니다.")
    c.showPage()
    c.setFont("HYSMyeongJo-Medium", 12)
    c.drawString(72, 760, SENTENCE + ".")
    c.save()


def make_hwpx(path: Path) -> None:
    from hwpx import HwpxDocument

    d = HwpxDocument.new()
    d.add_paragraph("추진계획")
    d.add_paragraph(SENTENCE + ".")
    d.save_to_path(str(path))


def make_html(path: Path) -> None:
    html = (
        "<html><head><meta charset='euc-kr'><title>계획</title><script>var x=1;</script>"
        f"</head><body><h1>주요내용</h1><div>{SENTENCE}.</div>"
        "<table><tr><th>구분</th><th>내용</th></tr><tr><td>1단계</td><td>시범</td></tr></table>"
        "</body></html>"
    )
    path.write_bytes(html.encode("cp949"))


def make_csv(path: Path) -> None:
    text = (
        f"부서,사업,내용\n디지털융합산업과,AI 민원상담,{SENTENCE}\n교통행정과,스마트 신호,최적화\n"
    )
    path.write_bytes(text.encode("cp949"))


def make_md(path: Path) -> None:
    path.write_text(f"# 주요내용\n\n## 추진계획\n\n{SENTENCE}.\n\n- 항목 하나\n", "utf-8")


def make_txt(path: Path) -> None:
    # NFD Hangul and a stray control character, as found in real exports.
    text = f"첫 문단입니다.\x07\n\n{unicodedata.normalize('NFD', SENTENCE)}.\n"
    path.write_bytes(text.encode("utf-8"))


# format → (builder, file name, provenance check on the block holding SENTENCE)
SAMPLES: dict[str, tuple[Callable[[Path], None], str, Callable]] = {
    "docx": (make_docx, "a.docx", lambda b: b.paragraph_index is not None),
    "xlsx": (make_xlsx, "a.xlsx", lambda b: b.sheet == "사업목록" and b.row == 2),
    "pptx": (make_pptx, "a.pptx", lambda b: b.page == 2),
    "pdf": (make_pdf, "a.pdf", lambda b: b.page == 2),
    "hwpx": (make_hwpx, "a.hwpx", lambda b: b.paragraph_index is not None),
    "html": (make_html, "a.html", lambda b: b.paragraph_index is not None),
    "csv": (make_csv, "a.csv", lambda b: b.row == 2),
    "md": (make_md, "a.md", lambda b: b.paragraph_index is not None),
    "txt": (make_txt, "a.txt", lambda b: b.paragraph_index == 1),
}


@pytest.fixture(params=sorted(SAMPLES))
def sample(request, tmp_path) -> tuple[str, Path, Callable]:
    fmt = request.param
    build, name, check = SAMPLES[fmt]
    path = tmp_path / name
    build(path)
    return fmt, path, check


def assert_clean(doc: ParsedDocument) -> None:
    assert doc.blocks, "no blocks"
    for b in doc.blocks:
        assert b.text == b.text.strip() and b.text
        assert unicodedata.is_normalized("NFC", b.text)
        assert not any(ord(c) < 32 and c not in "\n\t" for c in b.text), repr(b.text)
        assert not any(0xE000 <= ord(c) <= 0xF8FF for c in b.text)
        if b.kind == BlockKind.heading:
            assert b.level and b.level >= 1
        if b.kind == BlockKind.table:
            assert b.text.startswith("|") and "\n|---" in b.text


def test_every_registered_format_has_a_sample():
    assert set(registered_formats()) == set(SAMPLES) | {"hwp"}  # hwp: real files only


def test_detects_format_from_content_not_extension(sample, tmp_path):
    fmt, path, _ = sample
    disguised = tmp_path / "disguised.bin"
    disguised.write_bytes(path.read_bytes())
    assert detect_format(disguised).format == fmt


def test_parses_to_clean_document_with_provenance(sample):
    fmt, path, check = sample
    doc = parse_file(path)
    assert isinstance(doc, ParsedDocument)
    assert doc.metadata["format"] == fmt
    assert_clean(doc)
    holders = [b for b in doc.blocks if SENTENCE in b.text]
    assert holders, [b.text for b in doc.blocks]
    assert check(holders[0]), holders[0]


def test_headings_and_tables_survive(tmp_path):
    make_docx(tmp_path / "a.docx")
    doc = parse_file(tmp_path / "a.docx")
    headings = [(b.level, b.text) for b in doc.blocks if b.kind == BlockKind.heading]
    assert headings == [(1, "주요내용"), (2, "추진계획")]
    tables = [b.text for b in doc.blocks if b.kind == BlockKind.table]
    assert tables == ["| 사업명 | 예산 |\n|---|---|\n| AI 민원상담 | 3억원 |"]
    make_pptx(tmp_path / "a.pptx")
    slides = parse_file(tmp_path / "a.pptx")
    assert slides.page_count == 2
    assert [b.page for b in slides.blocks if b.kind == BlockKind.heading] == [1, 2]
    assert any(b.kind == BlockKind.table and "시범 운영" in b.text for b in slides.blocks)


def test_html_script_dropped_and_cp949_decoded(tmp_path):
    make_html(tmp_path / "a.hwp")  # HTML saved with a .hwp name, as real shares have
    doc = parse_file(tmp_path / "a.hwp")
    assert doc.metadata["format"] == "html"
    text = "\n".join(b.text for b in doc.blocks)
    assert "var x" not in text and SENTENCE in text
    assert doc.title == "계획"


GARBAGE = {
    "random": bytes(range(256)) * 40,
    "zip_junk": b"PK\x03\x04" + b"\x00" * 300,
    "pdf_junk": b"%PDF-1.7\n" + b"\x8f\x00garbage" * 50,
    "ole_junk": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600,
    "text": "그냥 한국어 문장입니다.".encode(),
}


@pytest.mark.parametrize("fmt", sorted(set(SAMPLES) | {"hwp"}))
@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_parsers_raise_only_ingest_error_on_garbage(fmt, kind, tmp_path):
    path = tmp_path / f"garbage.{fmt}"
    path.write_bytes(GARBAGE[kind])
    parser = parser_for(fmt)
    try:
        doc = parser.parse(path)
    except IngestError as e:
        assert e.code in CATALOGUE and e.message_ko
        return
    # Lenient formats (text, csv, html) may legitimately read garbage as text.
    assert fmt in ("txt", "md", "csv", "html"), f"{fmt} parsed {kind}"
    assert isinstance(doc, ParsedDocument)
