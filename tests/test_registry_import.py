"""Importing project lists: real CSV (CP949, UTF-8-BOM), XLSX and JSONL files written here, and
the Seoul 2018 budget list from ../shared (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from control_tower.registry.importer import (
    ImportFileError,
    UnknownColumnError,
    import_cards,
    import_file,
    read_rows,
)
from control_tower.registry.mappings import (
    ColumnMapping,
    MappingError,
    builtin_mappings,
    load_mapping,
)

HEADER = ["담당", "사업명", "사업비(백만원)", "개요", "세부내용", "근거법령", "시작", "종료"]
ROWS = [
    [
        "스마트도시국 정보통신과",
        "통합 데이터 플랫폼 구축",
        "1,250",
        "데이터 통합",
        "API 제공",
        "",
        "2026",
        "2028",
    ],
    ["복지국 노인복지과", "", "300", "이름 없는 행", "", "", "", ""],
    [
        "안전정책과",
        "재난 드론 관제",
        "8억 원",  # a cell with its own unit wins over the mapping's 백만원
        "",
        "드론 영상 분석",
        "재난안전법\n드론법",
        "2027",
        "2027",
    ],
]
MAPPING = ColumnMapping(
    fields={"name": "사업명", "summary": ["개요", "세부내용"], "laws": "근거법령"},
    department="담당",
    department_last_word=True,
    budget="사업비(백만원)",
    budget_unit="백만원",
    start_year="시작",
    end_year="종료",
)


def _csv(path: Path, encoding: str) -> Path:
    lines = [",".join(HEADER)]
    lines += [",".join(f'"{c}"' for c in row) for row in ROWS]
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def _check(result) -> None:
    assert result.rows == 3 and result.skipped_rows == [2]
    first, third = result.mentions
    assert first.name == "통합 데이터 플랫폼 구축" and first.role == "primary"
    assert first.lead_department == "정보통신과"
    assert first.fields["departments"].value == ["정보통신과"]
    assert first.fields["budget_eok"].value == pytest.approx(12.5)
    assert first.fields["summary"].value == "데이터 통합\nAPI 제공"  # two columns joined
    assert (first.fields["start_year"].value, first.fields["end_year"].value) == (2026, 2028)
    assert all(fv.method == "import" for fv in first.fields.values())
    ref = first.fields["name"].source
    assert (ref.doc_id, ref.row, ref.department, ref.section) == (
        "import:t1",
        1,
        "정보통신과",
        "스마트도시국 정보통신과",
    )
    assert third.source.row == 3 and third.source.section is None  # one-word department
    assert third.fields["laws"].value == ["재난안전법", "드론법"]
    assert third.fields["budget_eok"].value == pytest.approx(8.0)


@pytest.mark.parametrize("encoding", ["cp949", "utf-8-sig", "utf-8"])
def test_csv_encodings(tmp_path, encoding):
    path = _csv(tmp_path / "list.csv", encoding)
    result = import_file(path, MAPPING, import_id="t1")
    _check(result)
    assert result.mentions[0].source.path == str(path)
    assert result.mentions[0].source.title == "list.csv"


def test_xlsx_first_sheet_and_named_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "표지"
    book.active.append(["표지 시트"])
    data = book.create_sheet("사업목록")
    data.append([])  # a blank row before the header
    data.append(HEADER)
    for row in ROWS:
        data.append([int(c) if c.isdigit() else c for c in row])
    path = tmp_path / "list.xlsx"
    book.save(path)
    _check(import_file(path, MAPPING, import_id="t1", sheet="사업목록"))
    with pytest.raises(UnknownColumnError) as err:  # the first sheet has none of the columns
        import_file(path, MAPPING, import_id="t1")
    assert "사업명" in err.value.message_ko
    with pytest.raises(ImportFileError, match="시트"):
        import_file(path, MAPPING, import_id="t1", sheet="없는시트")


def test_jsonl_and_mapping_file(tmp_path):
    path = tmp_path / "list.jsonl"
    records = [dict(zip(HEADER, row, strict=True)) for row in ROWS]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n")
    mapping_file = tmp_path / "my_mapping.json"
    mapping_file.write_text(MAPPING.model_dump_json(), encoding="utf-8")
    _check(import_file(path, str(mapping_file), import_id="t1"))
    assert [r["사업명"] for r in read_rows(path)] == [r[1] for r in ROWS]


def test_errors_are_korean(tmp_path):
    csv_path = _csv(tmp_path / "list.csv", "utf-8")
    bad = ColumnMapping.model_validate({**MAPPING.model_dump(), "fields": {"name": "사업"}})
    with pytest.raises(UnknownColumnError) as err:
        import_cards(csv_path, bad, import_id="x")
    assert "사업" in err.value.missing and "사업명" in err.value.message_ko
    with pytest.raises(ImportFileError) as err:
        read_rows(tmp_path / "없는파일.csv")
    assert err.value.code == "unreadable" and "읽을 수 없습니다" in err.value.message_ko
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(ImportFileError) as err:
        read_rows(pdf)
    assert err.value.code == "unsupported_format" and "CSV" in err.value.message_ko
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    with pytest.raises(ImportFileError, match="XLSX 파일을 열 수 없습니다"):
        read_rows(fake)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x00\x01\x02" * 10)
    with pytest.raises(ImportFileError, match="텍스트"):
        read_rows(binary)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"사업": "a"}\n{not json\n')
    with pytest.raises(ImportFileError, match="2번째 줄"):
        list(read_rows(broken))


def test_mapping_errors(tmp_path):
    with pytest.raises(MappingError, match="찾을 수 없습니다"):
        load_mapping("no_such_mapping")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"fields": {"name": "a", "budget_total": "b"}}), encoding="utf-8")
    with pytest.raises(MappingError, match="budget_total"):
        load_mapping(bad)
    bad.write_text(json.dumps({"fields": {"goal": "a"}}), encoding="utf-8")
    with pytest.raises(MappingError, match="사업명"):
        load_mapping(bad)
    bad.write_text(json.dumps({"fields": {"name": "a"}, "budget_unit": "달러"}), encoding="utf-8")
    with pytest.raises(MappingError):
        load_mapping(bad)
    assert "seoul_budget_2018" in builtin_mappings()


def test_seoul_budget_2018(shared_data):
    path = shared_data / "seoul_budget_2018" / "projects.jsonl"
    result = import_file(path, "seoul_budget_2018", import_id="seoul")
    assert result.rows == 4023 and len(result.mentions) == 4023 and not result.skipped_rows
    first = result.mentions[0]
    assert first.name == "음악창작지원센터 운영"
    assert first.lead_department == "문화융합경제과"
    assert first.source.section == "경제진흥본부 문화융합경제과"
    assert first.fields["budget_eok"].value == pytest.approx(4.23)
    second = result.mentions[1]
    assert second.fields["laws"].value == ["시장 공약사업(관리번호 10-5-1)"]
    assert "방문간호사" in second.fields["goal"].value and "\n" not in second.fields["goal"].value
    assert second.passages and second.passages[0].text.startswith("찾.동 어르신 건강증진사업")
    assert {m.source.row for m in result.mentions} == set(range(1, 4024))
