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
    parsed = parse_file(hostile_docx(tmp_path / "반복.docx", paragraphs=10, repeat=300))
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
