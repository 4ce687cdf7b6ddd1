"""Kill a real ``ct ingest`` with SIGKILL mid-run, run it again, and prove the store and both
indexes are exactly consistent: every file present once, no duplicate or stale chunk ids."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from control_tower.index import Index
from control_tower.index.bm25_backend import BM25ChunkIndex
from control_tower.index.chroma_backend import ChromaChunkIndex
from control_tower.store import Store, doc_id_for_path
from ingest.consistency import consistency_problems
from tests.pipeline_fixtures import write_text_corpus

CT = [str(Path(sys.executable).parent / "ct")]


def _env(settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CT_DATA_DIR=str(settings.data_dir),
        CT_MODELS_DIR=str(settings.models_dir),
        PYTHONUNBUFFERED="1",
    )
    for var in ("CT_CHROMA_URL", "CT_DATABASE_URL"):
        env.pop(var, None)
    return env


def _indexed_count(store: Store) -> int:
    return len(store.list_documents(status="indexed"))


def _kill_after(settings, corpus: Path, n_done: int) -> None:
    """Start ``ct ingest``; SIGKILL it once ``n_done`` documents are indexed."""
    proc = subprocess.Popen(
        [*CT, "ingest", str(corpus), "--json"],
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the kill reaches its sandbox workers too
    )
    store = Store(settings.database_url)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"ct ingest finished before it could be killed (rc={proc.returncode})")
            try:
                if _indexed_count(store) >= n_done:
                    break
            except Exception:  # noqa: BLE001 - tables may not exist yet
                pass
            time.sleep(0.05)
        else:
            pytest.fail("ct ingest made no progress")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        store.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_is_consistent(tmp_path, settings, embedder):
    corpus = tmp_path / "corpus"
    # enough files with several chunks each that a kill lands mid-run
    files = write_text_corpus(corpus, 16, paragraphs=10)
    _kill_after(settings, corpus, 3)
    _kill_after(settings, corpus, 6)  # killed again, after repairing the first crash

    store = Store(settings.database_url)
    runs = store.list_runs()
    assert [r.state for r in runs] == ["interrupted", "running"]  # the 2nd was just killed

    done = subprocess.run(
        [*CT, "ingest", str(corpus), "--json"],
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["counts"]["total"] == len(files)
    assert report["counts"]["failed"] == report["counts"]["skipped"] == 0
    assert report["counts"]["unchanged"] >= 6  # finished work is not redone

    index = Index(ChromaChunkIndex(settings, embedder), BM25ChunkIndex(settings))
    assert consistency_problems(store, index) == []
    docs = store.list_documents()
    assert len(docs) == len(files)
    assert {d.doc_id for d in docs} == {doc_id_for_path(p) for p in files}
    assert all(d.status == "indexed" for d in docs)
    total = sum(d.chunk_count for d in docs)
    assert index.dense.count() == index.sparse.count() == total
    assert [r.state for r in store.list_runs()] == ["interrupted", "interrupted", "completed"]
    store.close()
