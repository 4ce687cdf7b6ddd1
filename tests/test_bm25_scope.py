"""Keyword scores a caller sees are those of an index holding only the chunks they may read.

That is the definition of "scores do not depend on hidden documents": for a scope that cannot
read some chunks, every score equals the score a fresh BM25 index built over just the
readable chunks (same tokenizer, same bm25s settings) gives — so neither the word counts
(idf) nor the average chunk length of hidden chunks can show through the order or the score.
"""

from __future__ import annotations

import pytest

from control_tower.access import ReadScope, read_scope, scope_allows
from control_tower.domain import AccessLevel, Chunk, DocumentMeta, Principal, SearchFilters
from control_tower.index.bm25_backend import BM25ChunkIndex

ADMIN = ReadScope(everything=True, levels=list(AccessLevel))
KIM = read_scope(Principal(username="kim", department="교통정책과"))


def _chunk(doc_id: str, text: str, dept: str, level: AccessLevel, **extra) -> Chunk:
    meta = DocumentMeta(
        doc_id=doc_id,
        title=doc_id,
        department=dept,
        access_level=level,
        source_path=f"/c/{doc_id}.txt",
        doc_type="txt",
        content_hash=doc_id,
        **extra,
    )
    return Chunk(
        chunk_id=f"{doc_id}:1:0", ordinal=0, text=text, meta=meta, char_start=0, char_end=len(text)
    )


# kim (교통정책과) reads: public, internal, 교통정책과's department chunks, and restricted
# chunks that allow kim. Hidden: 복지정책과's department chunks and a restricted one.
_READABLE = [
    _chunk("pub", "주차장 확충 계획과 주차 요금 조정 안내", "교통정책과", AccessLevel.public),
    _chunk("int", "주차 단속 강화 내부 방침 주차 주차", "교통정책과", AccessLevel.internal),
    _chunk("dep", "교통정책과 버스 노선 개편 주차 환승", "교통정책과", AccessLevel.department),
    _chunk(
        "res-kim",
        "버스 정류장 개선 비공개 검토",
        "복지정책과",
        AccessLevel.restricted,
        allowed_users=["kim"],
    ),
]
_HIDDEN = [
    _chunk(
        f"welfare-{i}",
        "복지 돌봄 자료 주차 버스 " + "긴 설명 문장입니다 " * (3 + 5 * i),
        "복지정책과",
        AccessLevel.department,
    )
    for i in range(5)
] + [
    _chunk("res-other", "주차 버스 환승 비공개", "복지정책과", AccessLevel.restricted),
]
QUERIES = ["주차", "주차 버스", "버스 환승 개편", "주차 주차 요금", "정류장"]


@pytest.fixture
def indexes(tmp_path):
    mixed = BM25ChunkIndex(directory=tmp_path / "mixed")
    mixed.upsert(_READABLE + _HIDDEN)
    fresh = BM25ChunkIndex(directory=tmp_path / "fresh")
    fresh.upsert(_READABLE)
    assert [c for c in _READABLE + _HIDDEN if scope_allows(KIM, c.meta)] == _READABLE
    return mixed, fresh


def _scores(index: BM25ChunkIndex, query: str, scope: ReadScope, filters=None) -> dict:
    return {h.chunk_id: h.score for h in index.search(query, 100, scope, filters)}


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_a_fresh_index_over_the_readable_chunks(indexes, query):
    mixed, fresh = indexes
    got, want = _scores(mixed, query, KIM), _scores(fresh, query, ADMIN)
    assert want  # every query matches something kim may read
    assert got.keys() == want.keys()
    for cid, score in want.items():
        assert got[cid] == pytest.approx(score, rel=1e-5), cid


def test_the_hidden_chunks_do_change_the_global_weights(indexes):
    """Guards the test above: without scoping, the hidden chunks would move kim's scores."""
    mixed, fresh = indexes
    admin, alone = _scores(mixed, "주차 버스", ADMIN), _scores(fresh, "주차 버스", ADMIN)
    assert any(admin[cid] != pytest.approx(s, rel=1e-3) for cid, s in alone.items())


def test_filters_narrow_the_results_not_the_weights(indexes):
    """A filter is the caller's own choice: it removes hits but weighs words over everything
    the caller may read, so a hit's score does not change when the filter is added."""
    mixed, _ = indexes
    whole = _scores(mixed, "주차 버스", KIM)
    only = _scores(mixed, "주차 버스", KIM, SearchFilters(departments=["교통정책과"]))
    assert set(only) == {"pub:1:0", "int:1:0", "dep:1:0"}
    assert all(only[cid] == pytest.approx(whole[cid], rel=1e-9) for cid in only)


def test_a_scope_that_reads_everything_keeps_the_global_scores(tmp_path):
    index = BM25ChunkIndex(directory=tmp_path / "open")
    index.upsert([c for c in _READABLE if c.meta.access_level is not AccessLevel.restricted])
    assert _scores(index, "주차 버스", KIM) == _scores(index, "주차 버스", ADMIN)


def test_a_word_repeated_many_times_in_one_chunk(tmp_path):
    """The term frequency is recovered from bm25s's stored float32 score: check it stays exact
    when one chunk repeats a word hundreds of times among short chunks."""
    long = _chunk("long", "주차 " * 400 + "버스", "복지정책과", AccessLevel.department)
    welfare = ReadScope(levels=[AccessLevel.public], department="복지정책과")
    chunks = [*_READABLE, long, *_HIDDEN]
    mixed = BM25ChunkIndex(directory=tmp_path / "mixed")
    mixed.upsert(chunks)
    fresh = BM25ChunkIndex(directory=tmp_path / "fresh")
    fresh.upsert([c for c in chunks if scope_allows(welfare, c.meta)])
    got, want = _scores(mixed, "주차 버스", welfare), _scores(fresh, "주차 버스", ADMIN)
    assert "long:1:0" in want and "int:1:0" not in want  # the scope differs from kim's
    assert got.keys() == want.keys()
    for cid, score in want.items():
        assert got[cid] == pytest.approx(score, rel=1e-5), cid
