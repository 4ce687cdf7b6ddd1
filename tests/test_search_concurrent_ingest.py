"""Searching while another process ingests into the same data folder never fails, and the
searching process sees the other process's documents (a search returned 500 with chromadb's
"Error finding id" while `ct ingest` replaced documents next to `ct serve`).

The writer is a real second process running the ingestion pipeline in a loop; this process
searches through the real retriever (embedded Chroma on disk + BM25) the whole time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from control_tower.domain import Principal, Role, SearchFilters
from control_tower.index import facade
from control_tower.retrieval import Retriever
from ingest.pipeline import ingest_paths

ADMIN = Principal(username="root", roles={Role.admin})
STAFF = Principal(username="lee", department="교통정책과")
WRITER_ROUNDS = 4

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from control_tower.settings import get_settings
    from ingest.pipeline import ingest_paths

    folder, wanted = Path(sys.argv[1]), int(sys.argv[2])
    settings = get_settings()
    rounds = 0
    while rounds < wanted:
        rounds += 1
        for i in range(3):
            (folder / f"변경{i}.txt").write_text(
                f"복지정책과 돌봄 서비스 개편 {rounds}차 안내 {i}. "
                f"노인 돌봄 인력 {rounds * 7 + i}명.",
                encoding="utf-8",
            )
        report = ingest_paths([str(folder)], settings, department="복지정책과")
        assert report.counts.get("failed", 0) == 0, report
        print("round", rounds, flush=True)
    print("done", rounds, flush=True)
    """
)


def _base_corpus(folder, n: int = 80) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        body = "\n\n".join(
            f"교통정책과 버스 노선 {i}-{p} 개편 계획과 정류장 {p}곳 정비. 배차 간격 {i + p}분."
            for p in range(3)
        )
        (folder / f"교통{i:02d}.txt").write_text(body, encoding="utf-8")


@pytest.fixture
def env(tmp_path, settings, store, index, monkeypatch):
    base = tmp_path / "base"
    _base_corpus(base)
    report = ingest_paths([str(base)], settings, store=store, index=index, department="교통정책과")
    assert report.counts["indexed"] == 80
    changing = tmp_path / "changing"
    changing.mkdir()
    env = dict(os.environ)
    env.update(CT_DATA_DIR=str(settings.data_dir), CT_MODELS_DIR=str(settings.models_dir))
    for var in ("CT_CHROMA_URL", "CT_DATABASE_URL"):
        env.pop(var, None)
    return settings, index, changing, env


def test_search_during_a_concurrent_ingest_never_fails(env, monkeypatch):
    settings, index, changing, child_env = env
    monkeypatch.setattr(facade, "DENSE_REFRESH_GAP_S", 1.0, raising=False)
    retriever = Retriever(settings, index=index)
    assert len(index.dense.all_chunk_ids()) > 64  # the filtered query must fall back to Chroma
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(changing), str(WRITER_ROUNDS)],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    welfare = SearchFilters(departments=["복지정책과"])
    searches, errors, during = 0, [], 0
    try:
        while writer.poll() is None:
            for kwargs in (
                {"principal": ADMIN, "filters": welfare, "mode": "dense"},
                {"principal": ADMIN, "filters": welfare, "mode": "hybrid"},
                {"principal": STAFF, "mode": "hybrid"},
            ):
                try:
                    retriever.search("노인 돌봄 서비스 개편", k=10, **kwargs)
                except Exception as exc:  # noqa: BLE001 - collected and reported below
                    errors.append(f"{type(exc).__name__}: {exc}")
                searches += 1
            # a fallback query on the raw collection as well (the path that raised before)
            vector = index.embedder.embed_query("돌봄 인력")
            from control_tower.access import read_scope

            try:
                index.dense.search_vector(vector, 10, read_scope(ADMIN), welfare)
            except Exception as exc:  # noqa: BLE001
                errors.append(f"{type(exc).__name__}: {exc}")
            during += 1
            time.sleep(0.02)  # leave the writer some CPU on a 2-core machine
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, err[-2000:]
    rounds = int(out.split("done", 1)[1].split()[0])
    assert rounds == WRITER_ROUNDS, out  # the writer really replaced documents several times
    assert during >= 5, (during, out)
    assert not errors, errors[:5]

    # After the writer is done, this process's dense view catches up: its hits are the
    # chunks that exist now (the latest versions), not the ids the writer deleted.
    time.sleep(1.1)
    retriever.search("돌봄", ADMIN, k=1, mode="dense")  # notices the foreign writes
    index.wait_for_dense_refresh(60)
    hits = retriever.search("노인 돌봄 인력", ADMIN, k=5, filters=welfare, mode="dense")
    current = index.sparse.all_chunk_ids()
    assert hits and all(h.chunk_id in current for h in hits)
    assert {h.citation.doc_id for h in hits} and all(
        h.citation.department == "복지정책과" for h in hits
    )
    latest = {h.text for h in hits}
    assert any(f"{rounds}차" in t for t in latest), latest
