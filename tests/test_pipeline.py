"""The ingestion pipeline end to end on real files, real parsers, real Chroma and BM25."""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest

from control_tower.access import read_scope
from control_tower.domain import AccessLevel, DocumentStatus, Principal
from control_tower.store import doc_id_for_path
from ingest.consistency import consistency_problems
from ingest.discover import IngestArgumentError
from ingest.lock import IngestBusyError, ingest_lock
from ingest.pipeline import IngestStats, ingest_paths
from tests.pipeline_fixtures import write_manifest, write_text_corpus

ADMIN = read_scope(Principal(username="root", roles={"admin"}))


def run(paths, settings, store, index, **kw):
    return ingest_paths([str(p) for p in paths], settings, store=store, index=index, **kw)


def by_name(report):
    return {os.path.basename(f.path): f for f in report.files}


def test_folder_ingest_reports_every_file_and_indexes_both_backends(
    tmp_path,
    settings,
    store,
    index,
):
    corpus = tmp_path / "corpus"
    files = write_text_corpus(corpus, 6)
    (corpus / "잡파일.bin").write_bytes(b"\x00\x01\x02garbage" * 20)
    (corpus / "빈파일.txt").write_text("   \n", encoding="utf-8")
    (corpus / ".hidden.txt").write_text("숨김 파일은 수집하지 않습니다", encoding="utf-8")
    stats = IngestStats()
    report = run([corpus], settings, store, index, department="교통정책과", stats=stats)

    shown = {f.path for f in report.files}
    expected = {os.path.join(str(corpus), os.path.relpath(p, corpus)) for p in files}
    assert expected <= shown  # paths as given: folder string + relative path
    assert not any(".hidden" in p for p in shown)
    assert report.counts["indexed"] == 6 and report.counts["skipped"] == 2
    names = by_name(report)
    assert names["잡파일.bin"].reason == "unsupported_type"
    assert names["빈파일.txt"].reason == "empty"
    assert names["빈파일.txt"].message  # Korean sentence for people
    assert consistency_problems(store, index) == []
    assert stats.chunks == sum(f.chunks for f in report.files) > 0
    for f in report.files:
        if f.status is DocumentStatus.indexed:
            assert f.doc_id == doc_id_for_path(f.path)
            rec = store.get_document(f.doc_id)
            assert rec.department == "교통정책과" and rec.status == "indexed"
            assert rec.source_path == str((corpus / os.path.relpath(f.path, str(corpus))).resolve())
    # both backends find a passage
    for backend in index.backends:
        hits = backend.search("공영주차장 스마트 주차 안내", 3, ADMIN)
        assert hits and "주차장" in index.get([hits[0].chunk_id])[0].meta.source_path


def test_rerun_is_unchanged_and_writes_nothing(tmp_path, settings, store, index):
    corpus = tmp_path / "c"
    write_text_corpus(corpus, 3)
    run([corpus], settings, store, index)
    before = {d.doc_id: (d.version, d.updated_at) for d in store.list_documents()}
    report = run([corpus], settings, store, index)
    assert report.counts["unchanged"] == 3 and report.counts["total"] == 3
    assert all(f.chunks > 0 for f in report.files)
    assert {d.doc_id: (d.version, d.updated_at) for d in store.list_documents()} == before
    runs = store.list_runs()
    assert [r.state for r in runs] == ["completed", "completed"]
    assert runs[1].counts["unchanged"] == 3


def test_changed_file_is_updated_and_old_chunks_replaced(
    tmp_path,
    settings,
    store,
    index,
):
    corpus = tmp_path / "c"
    files = write_text_corpus(corpus, 2)
    run([corpus], settings, store, index)
    target = files[0]
    doc_id = doc_id_for_path(target)
    target.write_text("포항시 해상 케이블카 운영 계획이 새로 수립되었습니다.\n", encoding="utf-8")
    report = run([corpus], settings, store, index)
    assert by_name(report)[target.name].status is DocumentStatus.updated
    assert by_name(report)[files[1].name].status is DocumentStatus.unchanged
    rec = store.get_document(doc_id)
    assert rec.version == 2
    assert [v.version for v in store.versions(doc_id)] == [1, 2]
    for ids in index.chunk_ids(doc_id).values():
        assert ids and all(i.startswith(f"{doc_id}:2:") for i in ids)
    assert consistency_problems(store, index) == []
    hits = index.sparse.search("버스 노선 개편 간선", 10, ADMIN)
    assert all(not h.chunk_id.startswith(doc_id) for h in hits)  # old text is gone
    assert index.sparse.search("해상 케이블카", 1, ADMIN)[0].chunk_id.startswith(f"{doc_id}:2:")


def test_access_change_reindexes_metadata(tmp_path, settings, store, index):
    corpus = tmp_path / "c"
    files = write_text_corpus(corpus, 1)
    run([corpus], settings, store, index, department="복지정책과", access="public")
    report = run([corpus], settings, store, index, access="department")
    assert report.files[0].status is DocumentStatus.updated
    doc_id = doc_id_for_path(files[0])
    assert store.get_document(doc_id).access_level is AccessLevel.department
    assert store.get_document(doc_id).department == "복지정책과"  # kept from the first run
    anon = read_scope(Principal.anonymous())
    for backend in index.backends:
        assert backend.search("버스 노선 개편", 5, anon) == []
        chunk = backend.get(sorted(backend.chunk_ids(doc_id)))[0]
        assert chunk.meta.access_level is AccessLevel.department


def test_sync_removes_documents_of_deleted_files(tmp_path, settings, store, index):
    corpus = tmp_path / "c"
    files = write_text_corpus(corpus, 3)
    run([corpus], settings, store, index)
    gone = files[1]
    gone_id = doc_id_for_path(gone)
    gone.unlink()
    report = run([corpus], settings, store, index)  # without --sync: kept
    assert report.removed == [] and store.get_document(gone_id) is not None
    report = run([corpus], settings, store, index, sync=True)
    assert report.removed == [gone_id]
    assert store.get_document(gone_id) is None
    assert index.chunk_ids(gone_id) == {"dense": set(), "sparse": set()}
    assert consistency_problems(store, index) == []


def test_indexed_file_that_becomes_unreadable_loses_its_old_chunks(
    tmp_path,
    settings,
    store,
    index,
):
    corpus = tmp_path / "c"
    files = write_text_corpus(corpus, 1)
    run([corpus], settings, store, index)
    files[0].write_bytes(b"\x00\x01\x02\x03 not a document anymore" * 10)
    report = run([corpus], settings, store, index)
    f = report.files[0]
    assert f.status is DocumentStatus.skipped and f.reason == "unsupported_type"
    assert "삭제" in f.message
    assert index.chunk_ids(f.doc_id) == {"dense": set(), "sparse": set()}
    assert store.get_document(f.doc_id).status == "skipped"
    assert consistency_problems(store, index) == []


def test_manifest_overrides_command_line_defaults(tmp_path, settings, store, index):
    corpus = tmp_path / "c"
    files = write_text_corpus(corpus, 2)
    rel = os.path.relpath(files[0], corpus)
    write_manifest(
        corpus,
        [
            {
                "path": rel,
                "key": "k-1",
                "title": "감사 대응 자료",
                "department": "감사관",
                "access": "restricted",
                "allowed_users": ["kim"],
                "allowed_departments": [],
                "doc_type": "보고서",
                "date": "2025-03-01",
                "doc_no": "감사-2025-7",
            }
        ],
    )
    report = run([corpus], settings, store, index, department="교통정책과", access="internal")
    assert report.counts["indexed"] == 2  # the manifest itself is not a document
    a = store.get_document(doc_id_for_path(files[0]))
    b = store.get_document(doc_id_for_path(files[1]))
    assert (a.title, a.department, a.access_level, a.allowed_users, a.doc_date) == (
        "감사 대응 자료",
        "감사관",
        AccessLevel.restricted,
        ["kim"],
        date(2025, 3, 1),
    )
    assert a.extra == {"key": "k-1", "doc_no": "감사-2025-7", "category": "보고서"}
    assert (b.department, b.access_level) == ("교통정책과", AccessLevel.internal)
    kim = read_scope(Principal(username="kim", department="복지정책과"))
    lee = read_scope(Principal(username="lee", department="감사관"))
    for backend in index.backends:
        assert {h.chunk_id.split(":")[0] for h in backend.search("버스 노선", 10, kim)} >= {
            a.doc_id
        }
        assert a.doc_id not in {
            h.chunk_id.split(":")[0] for h in backend.search("버스 노선", 10, lee)
        }


def test_pending_document_is_repaired_on_next_run(tmp_path, settings, store, index):
    """What a killed run leaves behind (pending row, chunks of two versions) is cleaned up."""
    corpus = tmp_path / "c"
    files = write_text_corpus(corpus, 2)
    run([corpus], settings, store, index)
    doc_id = doc_id_for_path(files[0])
    rec = store.get_document(doc_id)
    # simulate: run 2 committed "pending v2" and wrote v2 chunks, then died before cleanup
    meta = rec.to_meta().model_copy(update={"version": 2, "content_hash": "x"})
    store.begin_document(meta)
    old = index.get(sorted(index.sparse.chunk_ids(doc_id)))
    v2 = [
        c.model_copy(update={"chunk_id": c.chunk_id.replace(":1:", ":2:"), "meta": meta})
        for c in old
    ]
    index.dense.upsert(v2)
    index.sparse.upsert(v2)
    assert consistency_problems(store, index)  # inconsistent now
    report = run([corpus], settings, store, index)
    assert by_name(report)[files[0].name].status is DocumentStatus.updated
    assert consistency_problems(store, index) == []


def test_missing_path_is_an_argument_error(tmp_path, settings, store, index):
    with pytest.raises(IngestArgumentError) as exc:
        run([tmp_path / "없는폴더"], settings, store, index)
    assert "경로를 찾을 수 없습니다" in exc.value.message_ko
    with pytest.raises(IngestArgumentError):
        run([tmp_path], settings, store, index, access="secret")


def test_second_run_waits_for_the_lock(tmp_path, settings, store, index):
    corpus = tmp_path / "c"
    write_text_corpus(corpus, 1)
    waited = []
    with ingest_lock(settings.data_dir):
        with pytest.raises(IngestBusyError) as exc:
            run(
                [corpus],
                settings,
                store,
                index,
                lock_timeout_s=0.5,
                on_lock_wait=lambda: waited.append(1),
            )
    assert waited == [1] and "진행 중" in exc.value.message_ko
    assert run([corpus], settings, store, index).counts["indexed"] == 1


@pytest.mark.shared_data
def test_real_nts_hwp_files(tmp_path, settings, store, index, shared_data):
    src = sorted((shared_data / "nts_hwp" / "hwp").iterdir())[:5]
    corpus = tmp_path / "hwp"
    corpus.mkdir()
    for p in src:
        shutil.copy(p, corpus)
    report = run([corpus], settings, store, index, department="세정과")
    assert report.counts["total"] == 5
    assert report.counts["indexed"] + report.counts["skipped"] + report.counts["failed"] == 5
    assert report.counts["indexed"] >= 3
    assert consistency_problems(store, index) == []
