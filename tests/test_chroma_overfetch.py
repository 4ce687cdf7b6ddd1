"""The two dense query paths — ``Index.dense_search`` (unfiltered over-fetch checked against the
sparse index's in-memory metadata) and Chroma's own `where` filter — must return the same
readable top k, including when almost nothing in the collection is readable and the
over-fetch has to fall back to the filter."""

from __future__ import annotations

from datetime import date

import pytest

from control_tower.access import read_scope
from control_tower.domain import AccessLevel, Chunk, DocumentMeta, Principal, SearchFilters
from control_tower.index.bm25_backend import BM25ChunkIndex
from control_tower.index.chroma_backend import ChromaChunkIndex, build_where
from control_tower.index.facade import Index
from control_tower.settings import Settings
from tests.index_fixtures import embedder  # noqa: F401

DEPTS = ["배터리산업과", "철강산업과", "관광과"]


def _chunks() -> list[Chunk]:
    out = []
    for i in range(120):
        # 118 chunks locked to 철강산업과/관광과 staff; 2 readable internal chunks.
        level = AccessLevel.internal if i in (7, 93) else AccessLevel.department
        dept = DEPTS[1 + i % 2] if level is AccessLevel.department else DEPTS[0]
        meta = DocumentMeta(
            doc_id=f"d{i}",
            title=f"문서 {i}",
            department=dept,
            access_level=level,
            source_path=f"/c/d{i}.txt",
            doc_type="txt",
            content_hash=f"h{i}",
        )
        text = f"{i}번 문서: 배터리 재활용 실증 사업의 추진 현황과 예산 집행 계획 {i % 7}"
        out.append(
            Chunk(
                chunk_id=f"d{i}:1:0",
                ordinal=0,
                text=text,
                meta=meta,
                char_start=0,
                char_end=len(text),
            )
        )
    return out


@pytest.fixture(scope="module")
def index(tmp_path_factory, models_dir, embedder):  # noqa: F811
    data = tmp_path_factory.mktemp("overfetch")
    settings = Settings(_env_file=None, data_dir=data, models_dir=models_dir)
    index = Index(ChromaChunkIndex(settings, embedder), BM25ChunkIndex(settings))
    for chunk in _chunks():
        index.replace_document(chunk.meta.doc_id, [chunk])
    return index


def _filtered_only(index: Index, query: str, k: int, scope, filters=None):
    res = index.dense._collection.query(
        query_embeddings=[index.embedder.embed_query(query)],
        n_results=k,
        where=build_where(scope, filters),
        include=["distances"],
    )
    return res["ids"][0]


@pytest.mark.parametrize(
    ("who", "filters"),
    [
        (Principal(username="b", department="배터리산업과"), None),  # 2 readable: falls back
        (Principal(username="s", department="철강산업과"), None),  # 62 readable: over-fetch
        (Principal(username="s", department="철강산업과"), SearchFilters(departments=["관광과"])),
        (Principal.anonymous(), None),  # nothing readable
        # No chunk has a date: every date filter excludes all of them.
        (
            Principal(username="s", department="철강산업과"),
            SearchFilters(date_from=date(2020, 1, 1)),
        ),
        (Principal(username="s", department="관광과"), SearchFilters(doc_types=["TXT"])),
    ],
)
def test_overfetch_equals_filtered_query(index, who, filters):
    scope = read_scope(who)
    query = "배터리 재활용 예산"
    hits = index.dense_search(query, 5, scope, filters)
    got = [h.chunk_id for h in hits]
    assert got == _filtered_only(index, query, 5, scope, filters)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    # Chroma's own scoped search (the fallback) agrees as well.
    vector = index.embedder.embed_query(query)
    assert [h.chunk_id for h in index.dense.search_vector(vector, 5, scope, filters)] == got
    readable = {c.chunk_id for c in _chunks() if c.meta.access_level is AccessLevel.internal}
    if who.department == "배터리산업과":
        assert set(got) == readable


def test_chunk_missing_from_the_sparse_side_is_not_readable(index):
    # Access is checked against the sparse index's metadata; a chunk it does not hold (a
    # write in flight) must count as unreadable, never as readable.
    scope = read_scope(Principal(username="s", department="철강산업과"))
    assert index.sparse.readable(["d2:1:0", "nope:1:0"], scope) == [True, False]
