"""The web app's BM25 index keeps answering from its previous snapshot while a newer one is
built in the background — and a stale snapshot never lets a reader see what the stored chunk
no longer allows."""

from __future__ import annotations

import pytest

from control_tower.domain import AccessLevel, Chunk, DocumentMeta, Principal
from control_tower.index import bm25_backend
from control_tower.index.bm25_backend import BM25ChunkIndex
from control_tower.index.chroma_backend import ChromaChunkIndex
from control_tower.index.facade import Index
from control_tower.retrieval import Retriever
from control_tower.settings import Settings
from tests.index_fixtures import embedder  # noqa: F401

STAFF = Principal(username="lee", department="교통정책과")


def _chunk(doc_id: str, text: str, level: AccessLevel = AccessLevel.internal) -> Chunk:
    meta = DocumentMeta(
        doc_id=doc_id,
        title=doc_id,
        department="복지정책과",
        access_level=level,
        source_path=f"/c/{doc_id}.txt",
        doc_type="txt",
        content_hash=doc_id,
    )
    return Chunk(
        chunk_id=f"{doc_id}:1:0", ordinal=0, text=text, meta=meta, char_start=0, char_end=len(text)
    )


@pytest.fixture
def env(tmp_path, models_dir, embedder, monkeypatch):  # noqa: F811
    monkeypatch.setattr(bm25_backend, "REFRESH_GAP_S", 1.0)
    settings = Settings(_env_file=None, data_dir=tmp_path, models_dir=models_dir)
    index = Index(
        ChromaChunkIndex(settings, embedder), BM25ChunkIndex(settings, background_refresh=True)
    )
    index.replace_document("a", [_chunk("a", "노인 돌봄 서비스 확대 계획")])
    return Retriever(settings, index=index)


def _sparse_docs(retriever: Retriever, query: str) -> set[str]:
    return {h.citation.doc_id for h in retriever.search(query, STAFF, k=10, mode="sparse")}


def test_stale_snapshot_answers_then_refreshes(env):
    assert _sparse_docs(env, "돌봄") == {"a"}  # the first snapshot is built synchronously
    env.index.replace_document("b", [_chunk("b", "돌봄 로봇 실증 사업")])
    assert _sparse_docs(env, "돌봄") == {"a"}  # no wait: the previous snapshot answers
    env.index.sparse.wait_for_refresh(30)
    assert _sparse_docs(env, "돌봄") == {"a", "b"}


def test_stale_snapshot_never_shows_what_is_now_restricted(env):
    assert _sparse_docs(env, "돌봄") == {"a"}
    env.index.replace_document(
        "a", [_chunk("a", "노인 돌봄 서비스 확대 계획", AccessLevel.restricted)]
    )
    snap = env.index.sparse._snapshot
    assert snap is not None and "a:1:0" in snap.row_of  # the stale snapshot still allows it…
    for mode in ("sparse", "dense", "hybrid"):  # …but the stored chunk does not
        assert not env.search("돌봄 서비스", STAFF, k=10, mode=mode)
    env.index.sparse.wait_for_refresh(30)
    assert not env.search("돌봄 서비스", STAFF, k=10)


def test_synchronous_by_default(tmp_path):
    index = BM25ChunkIndex(directory=tmp_path)
    index.upsert([_chunk("a", "노인 돌봄")])
    from control_tower.access import read_scope

    assert [h.chunk_id for h in index.search("돌봄", 5, read_scope(STAFF))] == ["a:1:0"]
    index.upsert([_chunk("b", "돌봄 로봇")])
    assert {h.chunk_id for h in index.search("돌봄", 5, read_scope(STAFF))} == {"a:1:0", "b:1:0"}
