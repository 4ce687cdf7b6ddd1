"""Keyword search finds a Latin word that ends a sentence ("Kubernetes."), and a BM25 store
written with the old tokenizer rules is upgraded on open (its stored terms re-analysed)."""

from __future__ import annotations

import sqlite3

import pytest

from control_tower.access import read_scope
from control_tower.domain import AccessLevel, Chunk, DocumentMeta, Principal
from control_tower.index.bm25_backend import BM25ChunkIndex
from control_tower.index.korean_tokenizer import TOKENIZER_VERSION

STAFF = Principal(username="lee", department="정보통신과")
TEXTS = {
    "k8s": "우리 시의 클라우드 전환에서 컨테이너 관리는 Kubernetes.",
    "gpt": "민원 응대 시범 사업에 쓰인 모델은 ChatGPT.",
    "py": "데이터 분석 교육 과목은 Python, R 입니다.",
}


def _chunk(doc_id: str, text: str) -> Chunk:
    meta = DocumentMeta(
        doc_id=doc_id,
        title=doc_id,
        department="정보통신과",
        access_level=AccessLevel.internal,
        source_path=f"/c/{doc_id}.txt",
        doc_type="txt",
        content_hash=doc_id,
    )
    return Chunk(
        chunk_id=f"{doc_id}:1:0", ordinal=0, text=text, meta=meta, char_start=0, char_end=len(text)
    )


def _found(index: BM25ChunkIndex, query: str) -> set[str]:
    return {h.chunk_id.split(":")[0] for h in index.search(query, 10, read_scope(STAFF))}


@pytest.mark.parametrize(
    ("query", "doc"), [("Kubernetes", "k8s"), ("kubernetes", "k8s"), ("ChatGPT", "gpt")]
)
def test_sparse_search_finds_sentence_final_latin_word(tmp_path, query, doc):
    index = BM25ChunkIndex(directory=tmp_path)
    index.upsert([_chunk(d, t) for d, t in TEXTS.items()])
    assert _found(index, query) == {doc}


def _make_old_store(directory) -> None:
    """A store as the previous code wrote it: no tok_version column, Kiwi's cut-apart terms."""
    index = BM25ChunkIndex(directory=directory)
    index.upsert([_chunk(d, t) for d, t in TEXTS.items()])
    conn = sqlite3.connect(directory / "chunks.db")
    with conn:
        conn.execute("ALTER TABLE chunks DROP COLUMN tok_version")
        conn.execute(
            "UPDATE chunks SET tokens = replace(replace(tokens, 'kubernetes', 'kuber\tnetes.'),"
            " 'chatgpt', 'ch\tatgpt.')"
        )
        conn.execute("UPDATE state SET value = value + 1 WHERE key = 'generation'")
    conn.close()
    conn = sqlite3.connect(directory / "chunks.db")
    tokens = conn.execute("SELECT tokens FROM chunks WHERE chunk_id = 'k8s:1:0'").fetchone()[0]
    conn.close()
    assert "kuber" in tokens.split("\t")


def _versions(directory) -> set:
    conn = sqlite3.connect(directory / "chunks.db")
    try:
        return {r[0] for r in conn.execute("SELECT tok_version FROM chunks")}
    finally:
        conn.close()


def test_old_store_is_upgraded_on_open(tmp_path):
    _make_old_store(tmp_path)
    index = BM25ChunkIndex(directory=tmp_path)  # CLI tools: upgraded before the first search
    assert index.stale_terms() == 0
    assert _versions(tmp_path) == {TOKENIZER_VERSION}
    assert _found(index, "Kubernetes") == {"k8s"}
    assert _found(index, "ChatGPT") == {"gpt"}
    assert "kuber" not in index.terms("k8s:1:0")
    # the stored spans were rewritten with the terms: "kubernetes" covers the bare word
    spans = {s.term: s for s in index.term_spans(["k8s:1:0"])["k8s:1:0"]}
    s = spans["kubernetes"]
    assert TEXTS["k8s"][s.start : s.end] == "Kubernetes"


def test_web_app_upgrades_in_the_background(tmp_path):
    _make_old_store(tmp_path)
    index = BM25ChunkIndex(directory=tmp_path, background_refresh=True)
    assert index._upgrader is not None  # the constructor did not block on it
    index.wait_for_upgrade(60)
    assert index.stale_terms() == 0
    assert _found(index, "Kubernetes") == {"k8s"}


def test_upgrade_keeps_a_chunk_replaced_meanwhile(tmp_path):
    # A row written with the current rules is never overwritten by an upgrade.
    index = BM25ChunkIndex(directory=tmp_path)
    index.upsert([_chunk("k8s", TEXTS["k8s"])])
    assert index.upgrade_terms() == 0
    assert _versions(tmp_path) == {TOKENIZER_VERSION}
