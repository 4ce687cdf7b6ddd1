"""A small, highly compressible DOCX (inside the zip-bomb guards) must not become thousands
of chunks: past ``max_chunks_per_document`` the file is skipped with a Korean reason."""

from __future__ import annotations

import docx
import pytest

from control_tower.domain import AccessLevel, DocumentMeta, DocumentStatus
from control_tower.settings import Settings
from ingest.chunking import chunk_document
from ingest.errors import IngestError
from ingest.parsers import parse_file
from ingest.pipeline import ingest_paths

SENTENCE = "포항시 민원 처리 안내 문구가 반복됩니다. 같은 내용이 계속됩니다. "


def hostile_docx(path, paragraphs: int = 100, repeat: int = 600):
    """~58 KB on disk, 2.3 M characters of text (~4,700 chunks of 600 characters)."""
    document = docx.Document()
    for _ in range(paragraphs):
        document.add_paragraph(SENTENCE * repeat)
    document.save(path)
    return path


def test_default_bound_is_set_and_sane():
    s = Settings(_env_file=None)
    assert 500 <= s.max_chunks_per_document <= 10_000


def test_chunker_stops_at_the_bound(tmp_path):
    parsed = parse_file(_varied_docx(tmp_path / "보고서.docx", paragraphs=300))
    meta = DocumentMeta(
        doc_id="d",
        title="반복",
        department="민원과",
        access_level=AccessLevel.internal,
        source_path="/x/반복.docx",
        doc_type="docx",
        content_hash="h",
    )
    assert len(chunk_document(parsed, meta, size=600, overlap=90)) > 50
    with pytest.raises(IngestError) as e:
        chunk_document(parsed, meta, size=600, overlap=90, max_chunks=50)
    assert e.value.code == "too_many_chunks"
    assert e.value.status == "skipped"


def test_hostile_docx_is_skipped_with_korean_reason(tmp_path, settings, store, index):
    path = hostile_docx(tmp_path / "민원안내.docx")
    assert path.stat().st_size < 80_000  # tiny on disk, well inside the zip guards
    good = tmp_path / "정상.txt"
    good.write_text("포항시 공영주차장 안내 시스템이 구축됩니다.", encoding="utf-8")

    report = ingest_paths([str(path), str(good)], settings, store=store, index=index)

    by_name = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    bad = by_name["민원안내.docx"]
    assert bad.status == DocumentStatus.skipped
    assert bad.reason == "too_many_chunks"
    assert "너무 크거나" in bad.message and "나누어" in bad.message
    assert f"{settings.max_chunks_per_document:,}개" in bad.message
    assert bad.chunks == 0
    assert by_name["정상.txt"].status == DocumentStatus.indexed
    # nothing of the skipped file reached either index
    assert index.chunk_ids(bad.doc_id) == {"dense": set(), "sparse": set()}
    record = store.get_document(bad.doc_id)
    assert record.status == "skipped" and record.reason == "too_many_chunks"


def test_bound_comes_from_settings(tmp_path, settings, store, index):
    path = hostile_docx(tmp_path / "작은반복.docx", paragraphs=5, repeat=100)  # ~75 chunks
    low = settings.model_copy(update={"max_chunks_per_document": 20})
    report = ingest_paths([str(path)], low, store=store, index=index)
    assert report.files[0].reason == "too_many_chunks"
    assert "20개" in report.files[0].message


def test_one_line_repeated_is_skipped_even_under_the_bound(tmp_path):
    # The 38.7 KB DOCX: short repeated paragraphs, ~650 chunks, all alike.
    document = docx.Document()
    for _ in range(3000):
        document.add_paragraph(SENTENCE)
    document.save(tmp_path / "한줄반복.docx")
    parsed = parse_file(tmp_path / "한줄반복.docx")
    meta = DocumentMeta(
        doc_id="d",
        title="한줄반복",
        department="민원과",
        access_level=AccessLevel.internal,
        source_path="/x/한줄반복.docx",
        doc_type="docx",
        content_hash="h",
    )
    with pytest.raises(IngestError) as e:
        chunk_document(parsed, meta, size=600, overlap=90, max_chunks=2000)
    assert e.value.code == "too_many_chunks"
    assert "반복" in e.value.message_ko and "나누어" in e.value.message_ko


def test_long_varied_document_is_not_taken_for_repetition(tmp_path):
    parsed = parse_file(
        _varied_docx(tmp_path / "긴보고서.docx", paragraphs=500)  # ~120 distinct chunks
    )
    meta = DocumentMeta(
        doc_id="d",
        title="긴보고서",
        department="기획예산과",
        access_level=AccessLevel.internal,
        source_path="/x/긴보고서.docx",
        doc_type="docx",
        content_hash="h",
    )
    chunks = chunk_document(parsed, meta, size=600, overlap=90, max_chunks=2000)
    assert len(chunks) >= 100


def _varied_docx(path, paragraphs: int):
    document = docx.Document()
    for i in range(paragraphs):
        document.add_paragraph(
            f"{i}번째 사업: 포항시 {['교통', '복지', '환경', '안전'][i % 4]} 분야 세부 계획으로 "
            f"예산 {i * 13 + 7}백만 원을 편성하고 {i % 12 + 1}월까지 {i * 3 + 1}곳을 정비한다. "
            f"담당 부서는 실적을 분기마다 점검하며 주민 의견 {i * 5}건을 반영한다."
        )
    document.save(path)
    return path
