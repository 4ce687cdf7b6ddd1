"""Zero-width and right-to-left override characters never stay in document titles, whether
the title comes from the parsed document, the manifest or the file name."""

from __future__ import annotations

import docx
import pytest

from control_tower.domain import DocumentStatus
from ingest.normalize import clean_title, strip_invisible
from ingest.pipeline import ingest_paths
from tests.pipeline_fixtures import write_manifest

HIDDEN = (
    [chr(c) for c in range(0x200B, 0x2010)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\ufeff"]
)


def _visible(title: str) -> bool:
    return not any(ch in title for ch in HIDDEN)


@pytest.mark.parametrize("ch", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_clean_title_drops_every_invisible_control(ch):
    assert clean_title(f"2025년{ch} 예산{ch}보고서") == "2025년 예산보고서"
    assert strip_invisible(f"a{ch}b") == "ab"


def test_clean_title_is_one_line_and_empty_when_nothing_visible():
    assert clean_title("  교통 \n 계획\t ") == "교통 계획"
    assert clean_title("\u200b\u202e\ufeff") == ""


def test_titles_from_documents_names_and_manifest_are_clean(tmp_path, settings, store, index):
    folder = tmp_path / "docs"
    folder.mkdir()
    # 1. the title a parser reads from the document (DOCX core properties)
    d = docx.Document()
    d.core_properties.title = "버스\u200b노선\u202e 개편안"
    d.add_paragraph("포항시 버스 노선 개편 계획을 알립니다.")
    d.save(folder / "노선.docx")
    # 2. the file name (text files have no title of their own)
    (folder / "주차\u200d장\u2066 안내\u2069.txt").write_text(
        "공영주차장 안내 시스템이 구축됩니다.", encoding="utf-8"
    )
    # 3. a manifest title
    (folder / "복지.txt").write_text("사례관리 인력이 증원됩니다.", encoding="utf-8")
    write_manifest(folder, [{"path": "복지.txt", "title": "\ufeff복지\u200f 계획"}])
    # 4. a file name of nothing but invisible characters falls back to a readable title
    (folder / "\u200b\u202e.txt").write_text("지진 대피소 보강 공사.", encoding="utf-8")

    report = ingest_paths([str(folder)], settings, store=store, index=index)

    assert {f.status for f in report.files} == {DocumentStatus.indexed}, report.files
    titles = {d.title for d in store.list_documents()}
    assert titles == {"버스노선 개편안", "주차장 안내", "복지 계획", "제목 없음"}
    # the chunks (what search results and citations show) carry the clean title too
    chunk_titles = {
        c.meta.title for doc in store.list_documents() for c in _chunks(index, doc.doc_id)
    }
    assert chunk_titles == titles
    assert all(_visible(t) for t in chunk_titles)


def _chunks(index, doc_id):
    return index.get(sorted(index.chunk_ids(doc_id)["sparse"]))
