"""One conformance suite for the roadmap exporters (Markdown, DOCX, HWPX).

Every test writes a real file to disk and reads it back with the format's own library
(``readback``): python-docx for DOCX, python-hwpx re-opening the HWPX. The sample is a
realistic Korean roadmap excerpt (phase, budget-by-year with a total row, KPI and training
tables, a note, bullets, sources); hostile content covers what an LLM or a card can carry.
"""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest

from control_tower.roadmap.document import (
    Bullets,
    Document,
    Heading,
    Note,
    Paragraph,
    SourceEntry,
    Table,
)
from control_tower.roadmap.export import (
    SUPPORTED_SUFFIXES,
    Exporter,
    ExportError,
    exporter_for,
    write_document,
)
from control_tower.roadmap.export.layout import APPENDIX_TITLE, NO_SOURCES_TEXT
from control_tower.roadmap.export.readback import ReadBack, read_back

FORMATS = [".md", ".docx", ".hwpx"]

PHASES = Table(
    title="단계별 추진 일정",
    header=["단계", "기간", "주요 과제"],
    rows=[
        ["단기", "2026~2027", "도시 데이터 통합 플랫폼 구축"],
        ["중기", "2028~2029", "AI 교통신호 최적화, 위기가구 발굴 고도화"],
        ["장기", "2030", "수요응답형 버스 전면 확대"],
    ],
)
BUDGET = Table(
    title="연도별 소요 예산 (단위: 억원)",
    header=["과제", "2026", "2027", "2028", "합계"],
    rows=[
        ["도시 데이터 통합 플랫폼", "12.0", "8.5", "3.0", "23.5"],
        ["AI 교통신호 최적화", "0.0", "6.0", "9.5", "15.5"],
        ["합계", "12.0", "14.5", "12.5", "39.0"],
    ],
    numeric=[1, 2, 3, 4],
)
KPIS = Table(
    title="성과지표",
    header=["지표", "기준값(2025)", "목표값", "목표연도"],
    rows=[
        ["교차로 평균 대기시간(초)", "92", "70", "2028"],
        ["위기가구 발굴 건수(건/년)", "1,240", "2,000", "2029"],
    ],
    numeric=[1, 2],
)
TRAINING = Table(
    title="전 직원 AI 역량 강화 교육 계획",
    header=["교육 과정", "대상", "인원", "시기"],
    rows=[
        ["생성형 AI 업무 활용 기초", "전 직원", "1,200", "2026 상반기"],
        ["데이터 분석 실무", "교통정책과·복지정책과", "40", "2027"],
    ],
    numeric=[2],
)
SOURCES = [
    SourceEntry(
        n=1,
        title="도시 데이터 통합 플랫폼 구축 계획",
        path="스마트도시과/도시 데이터 통합 플랫폼 구축 계획",
        page=3,
        section="사업 개요",
    ),
    SourceEntry(n=2, title="AI 교통신호 최적화 추진계획", path="교통정책과/AI 교통신호", page=2),
    SourceEntry(n=3, title="위기가구 발굴 고도화 계획", section="기대 효과"),
]
EXPECTED_SOURCE_LINES = [
    "[1] 도시 데이터 통합 플랫폼 구축 계획 (스마트도시과/도시 데이터 통합 플랫폼 구축 계획, "
    "p.3 / 사업 개요)",
    "[2] AI 교통신호 최적화 추진계획 (교통정책과/AI 교통신호, p.2)",
    "[3] 위기가구 발굴 고도화 계획 (기대 효과)",
]
# written decomposed (NFD, as some Mac-made files are): the export must carry it as NFC
DECOMPOSED = unicodedata.normalize("NFD", "데이터 기반 행정을 확산한다.")


def sample() -> Document:
    return Document(
        title="○○시 중장기 AI 로드맵",
        subtitle="2026~2030 | AI 혁신 컨트롤타워",
        blocks=[
            Heading(level=1, text="Ⅰ. 추진 배경"),
            Paragraph(text="시는 교통·복지 분야에서 AI 사업을 추진 중이다 [1][2]. " + DECOMPOSED),
            Note(text="이 절은 구조에서 만든 템플릿 문장입니다."),
            Heading(level=1, text="Ⅴ. 단계별 추진 로드맵"),
            Bullets(items=["데이터 플랫폼을 분석 서비스보다 먼저 구축", "단계별 예산 상한 준수"]),
            PHASES,
            Heading(level=1, text="Ⅵ. 연도별 소요 예산"),
            Heading(level=2, text="1. 과제별 예산"),
            BUDGET,
            Heading(level=1, text="Ⅶ. 추진체계 및 성과관리"),
            KPIS,
            Heading(level=3, text="가. 직원 역량 강화"),
            TRAINING,
            Paragraph(text="위기가구 발굴 건수는 2029년까지 2,000건을 목표로 한다 [3]."),
        ],
        sources=SOURCES,
    )


def grid(table: Table) -> list[list[str]]:
    return [table.header, *table.rows]


def export(doc: Document, tmp_path: Path, suffix: str) -> tuple[Path, ReadBack]:
    path = write_document(doc, tmp_path / f"로드맵{suffix}")
    assert path.is_file() and path.stat().st_size > 0
    return path, read_back(path)


# --- conformance: the same content in every format -------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_sample_reads_back_in_every_format(tmp_path, suffix):
    doc = sample()
    _, back = export(doc, tmp_path, suffix)

    assert back.headings == [
        (0, "○○시 중장기 AI 로드맵"),
        (1, "Ⅰ. 추진 배경"),
        (1, "Ⅴ. 단계별 추진 로드맵"),
        (1, "Ⅵ. 연도별 소요 예산"),
        (2, "1. 과제별 예산"),
        (1, "Ⅶ. 추진체계 및 성과관리"),
        (3, "가. 직원 역량 강화"),
        (1, APPENDIX_TITLE),
    ]
    assert back.tables == [grid(PHASES), grid(BUDGET), grid(KPIS), grid(TRAINING)]
    assert back.bullets == ["데이터 플랫폼을 분석 서비스보다 먼저 구축", "단계별 예산 상한 준수"]
    assert "2026~2030 | AI 혁신 컨트롤타워" in back.paragraphs  # the subtitle
    assert "※ 이 절은 구조에서 만든 템플릿 문장입니다." in back.paragraphs
    body = unicodedata.normalize("NFC", doc.blocks[1].text)
    assert body in back.paragraphs  # citation markers [1][2] kept as text, NFD made NFC
    assert all(unicodedata.is_normalized("NFC", t) for t in back.all_text())

    # the appendix is last: its heading, then one paragraph per source, in n order
    kinds = [(i.kind, i.text) for i in back.items]
    start = kinds.index(("heading", APPENDIX_TITLE))
    assert kinds[start + 1 :] == [("paragraph", line) for line in EXPECTED_SOURCE_LINES]

    # every table title sits right above its table
    for title in (PHASES.title, BUDGET.title, KPIS.title, TRAINING.title):
        at = kinds.index(("paragraph", title))
        assert back.items[at + 1].kind == "table"


def _budget_total_row_adds_up(table: list[list[str]]) -> bool:
    *lines, total = table[1:]
    return all(
        abs(sum(float(r[c]) for r in lines) - float(total[c])) < 1e-9 for c in range(1, 5)
    ) and all(abs(sum(map(float, r[1:4])) - float(r[4])) < 1e-9 for r in table[1:])


@pytest.mark.parametrize("suffix", FORMATS)
def test_budget_table_read_back_still_sums(tmp_path, suffix):
    _, back = export(sample(), tmp_path, suffix)
    assert _budget_total_row_adds_up(back.tables[1])


# --- the seam ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_exporter_for_each_suffix(suffix):
    for spelled in (suffix, suffix.upper(), suffix[1:], f"out/로드맵{suffix.upper()}"):
        exporter = exporter_for(spelled)
        assert isinstance(exporter, Exporter)
        assert exporter.suffix == suffix and exporter.media_type
    assert SUPPORTED_SUFFIXES == tuple(FORMATS)


@pytest.mark.parametrize("bad", ["로드맵.pdf", ".hwp", "roadmap", "docx.txt"])
def test_unsupported_suffix_is_a_korean_error(bad, tmp_path):
    with pytest.raises(ExportError) as err:
        exporter_for(bad)
    assert err.value.code == "unsupported_format"
    assert "지원하지 않는 내보내기 형식" in err.value.message_ko
    assert ".md, .docx, .hwpx" in err.value.message_ko
    with pytest.raises(ExportError):
        write_document(sample(), tmp_path / bad)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", FORMATS)
def test_missing_folder_is_a_korean_error_and_no_temp_file_is_left(tmp_path, suffix):
    with pytest.raises(ExportError) as err:
        write_document(sample(), tmp_path / "없는 폴더" / f"a{suffix}")
    assert err.value.code == "export_dir_missing" and "폴더" in err.value.message_ko
    target = tmp_path / f"a{suffix}"
    target.write_bytes(b"old")
    write_document(sample(), target)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # replaced, temp file gone
    assert read_back(target).tables[0] == grid(PHASES)


# --- the appendix rule ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_appendix_heading_in_the_blocks_places_the_entries(tmp_path, suffix):
    doc = sample()
    doc.blocks.insert(3, Heading(level=1, text="붙임  출처 문서"))
    _, back = export(doc, tmp_path, suffix)
    appendix = [t for _, t in back.headings if t.replace(" ", "").startswith("붙임")]
    assert appendix == ["붙임 출처 문서"]  # not duplicated
    kinds = [(i.kind, i.text) for i in back.items]
    start = kinds.index(("heading", "붙임 출처 문서"))
    entries = [("paragraph", line) for line in EXPECTED_SOURCE_LINES]
    assert kinds[start + 1 : start + 4] == entries
    assert kinds[start + 4] == ("heading", "Ⅴ. 단계별 추진 로드맵")


@pytest.mark.parametrize("suffix", FORMATS)
def test_no_sources_means_no_appendix_unless_asked(tmp_path, suffix):
    doc = sample().model_copy(update={"sources": []})
    _, back = export(doc, tmp_path, suffix)
    assert APPENDIX_TITLE not in back.heading_texts()
    doc.blocks.append(Heading(level=1, text=APPENDIX_TITLE))
    _, back = export(doc, tmp_path, suffix)
    assert back.heading_texts().count(APPENDIX_TITLE) == 1
    assert back.paragraphs[-1] == NO_SOURCES_TEXT


# --- hostile and odd content ---------------------------------------------------------------

NASTY = "<b>&amp;</b> \"따옴표\" 'x' | 파이프 \\ 백슬래시 *별* _밑줄_ `코드` 😀🚦 [7]"


def hostile() -> Document:
    long_cell = "매우 긴 셀 " * 600  # ~4,200 characters
    return Document(
        title="# 제목\x00 <script>",
        subtitle="부제\x0b목",
        blocks=[
            Heading(level=4, text="- 목록처럼 보이는\n제목"),
            Paragraph(text="1. 번호처럼 시작\n> 인용처럼\x1b 둘째 줄\n\n새 문단 " + NASTY),
            Bullets(items=["", "  * 별표 항목", NASTY]),
            Note(text="※ 이미 표시된 주의"),
            Table(title="빈 표", header=["열1", "열2"], rows=[]),
            Table(
                title="고르지 않은 표",
                header=["가", "나", "다"],
                rows=[["짧은 행"], ["1", "2", "3", "넘치는 셀"], [NASTY, "a\nb", long_cell]],
                numeric=[1, 7],
            ),
            Table(title="열 없는 표", header=[], rows=[]),
            Table(
                title="200행",
                header=["번호", "값"],
                rows=[[str(i), f"값 {i} 😀"] for i in range(200)],
                numeric=[0],
            ),
        ],
        sources=[SourceEntry(n=1, title="출처 | <제목> & \x07", path="부서/문서")],
    )


@pytest.mark.parametrize("suffix", FORMATS)
def test_hostile_content_survives_every_format(tmp_path, suffix):
    _, back = export(hostile(), tmp_path, suffix)
    long_cell = ("매우 긴 셀 " * 600).strip()

    assert back.headings[0] == (0, "# 제목 <script>")
    assert (4, "- 목록처럼 보이는 제목") in back.headings
    assert "부제목" in back.paragraphs  # a control character dropped, not a space
    assert "1. 번호처럼 시작\n> 인용처럼 둘째 줄" in back.paragraphs
    assert "새 문단 " + NASTY in back.paragraphs
    assert back.bullets == ["* 별표 항목", NASTY]
    assert "※ 이미 표시된 주의" in back.paragraphs
    assert "열 없는 표" in back.paragraphs  # the title of a table with no columns is kept
    assert back.tables[0] == [["열1", "열2"]]
    assert back.tables[1] == [
        ["가", "나", "다"],
        ["짧은 행", "", ""],  # padded
        ["1", "2", "3"],  # truncated to the header's width
        [NASTY, "a\nb", long_cell],
    ]
    assert len(back.tables) == 3
    assert back.tables[2][0] == ["번호", "값"] and len(back.tables[2]) == 201
    assert back.tables[2][200] == ["199", "값 199 😀"]
    assert back.paragraphs[-1] == "[1] 출처 | <제목> & (부서/문서)"


def test_markdown_tables_are_escaped_pipe_tables(tmp_path):
    path = write_document(hostile(), tmp_path / "a.md")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "| 번호 | 값 |" in lines and "| ---: | --- |" in lines
    odd = next(line for line in lines if line.startswith("| <b>") or line.startswith("| \\<b"))
    assert "\\|" in odd and "a<br>b" in odd and "\\<b\\>" in odd
    assert "## \\- 목록처럼 보이는 제목" not in lines  # level 4 is #####
    assert "##### \\- 목록처럼 보이는 제목" in lines
    assert "1\\. 번호처럼 시작  " in lines and "\\> 인용처럼 둘째 줄" in lines


# --- format specifics ----------------------------------------------------------------------


def test_docx_sets_the_east_asian_font_a4_and_table_grid(tmp_path):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm

    path = write_document(sample(), tmp_path / "a.docx")
    document = docx.Document(str(path))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == "맑은 고딕", name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name  # a theme font would win
    styles_xml = zipfile.ZipFile(path).read("word/styles.xml").decode()
    assert 'w:eastAsia="ko-KR"' in styles_xml
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)

    budget = document.tables[1]
    assert budget.style.name == "Table Grid"
    assert all(run.bold for cell in budget.rows[0].cells for run in cell.paragraphs[0].runs)
    assert budget.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert budget.rows[1].cells[0].paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT
    note = next(p for p in document.paragraphs if p.text.startswith("※"))
    assert all(run.italic for run in note.runs)


def test_hwpx_reopens_valid_with_bold_header_and_right_aligned_numbers(tmp_path):
    from hwpx import HwpxDocument

    path = write_document(sample(), tmp_path / "a.hwpx")
    assert zipfile.ZipFile(path).read("mimetype") == b"application/hwp+zip"
    with HwpxDocument.open(str(path)) as document:
        assert document.validate().issues == ()
        texts = {c.text for t in document.tables for row in t.rows for c in row.cells}
        assert {"도시 데이터 통합 플랫폼", "39.0", "2,000", "생성형 AI 업무 활용 기초"} <= texts
        budget = document.tables[1]
        for cell in budget.rows[0].cells:
            shape = document.styles.char_property(cell.paragraphs[0].runs[0].char_pr_id_ref)
            assert "bold" in shape.child_attributes

        def align(cell):
            ref = cell.paragraphs[0].element.get("paraPrIDRef")
            return document.styles.paragraph_property(ref).align.horizontal

        assert align(budget.rows[1].cells[1]) == "RIGHT"
        assert align(budget.rows[1].cells[0]) != "RIGHT"
