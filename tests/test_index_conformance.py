"""One conformance suite for every ``ChunkIndex`` backend: embedded Chroma, Chroma over HTTP
(a real local ``chroma run`` server) and Kiwi-BM25. Each must behave the same on writes,
reads, filters and — above all — access scopes."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from control_tower.access import read_scope, scope_allows
from control_tower.domain import SearchFilters
from control_tower.index.base import ChunkIndex
from control_tower.settings import Settings
from tests.index_fixtures import DEPT_A, DEPT_B, DOCS, PRINCIPALS, make_chunks

ADMIN = read_scope(PRINCIPALS["admin"])
COMMON_TERM = "포항시"  # every passage contains it, so BM25 scores every chunk > 0


@pytest.fixture(scope="module")
def embedded_chroma_client(tmp_path_factory):
    """One embedded Chroma client for the module (each client costs threads and memory);
    every test gets its own collection in it."""
    from control_tower.index.chroma_backend import make_client

    s = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("chroma_embedded"))
    return make_client(s)


@pytest.fixture(params=["chroma", "chroma_http", "bm25"])
def backend(request, tmp_path) -> ChunkIndex:
    from control_tower.index.bm25_backend import BM25ChunkIndex
    from control_tower.index.chroma_backend import ChromaChunkIndex

    if request.param == "bm25":
        return BM25ChunkIndex(directory=tmp_path / "bm25")
    embedder = request.getfixturevalue("embedder")  # only the dense backend needs it
    if request.param == "chroma":
        client = request.getfixturevalue("embedded_chroma_client")
        url = None
    else:
        url = request.getfixturevalue("chroma_server")
        client = None  # a real HttpClient made from settings.chroma_url
    s = Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        chroma_url=url,
        chroma_collection=f"t-{uuid.uuid4().hex[:12]}",  # a fresh collection per test
    )
    return ChromaChunkIndex(s, embedder, client=client)


def _all_ids(index: ChunkIndex, scope, filters=None) -> set[str]:
    """Every chunk the scope/filters allow (k above the corpus size)."""
    return {h.chunk_id for h in index.search(COMMON_TERM, 100, scope, filters)}


def test_upsert_is_idempotent(backend):
    chunks = make_chunks()
    backend.upsert(chunks)
    backend.upsert(chunks)
    assert backend.count() == len(chunks)
    assert backend.chunk_ids("doc-pub") == {"doc-pub:1:0", "doc-pub:1:1"}


def test_upsert_replaces_content_by_id(backend):
    chunks = make_chunks()
    backend.upsert(chunks)
    changed = chunks[0].model_copy(
        update={"text": "포항시 노선 개편안이 철회되었습니다. 재검토 예정."}
    )
    backend.upsert([changed])
    assert backend.count() == len(chunks)
    assert backend.get([changed.chunk_id])[0].text == changed.text


def test_delete_document_removes_every_version(backend):
    backend.upsert(make_chunks(version=1) + make_chunks(version=2))
    assert len(backend.chunk_ids("doc-pub")) == 4
    backend.delete_document("doc-pub")
    assert backend.chunk_ids("doc-pub") == set()
    assert backend.chunk_ids("doc-int") == {"doc-int:1:0", "doc-int:2:0"}
    assert "doc-pub:1:0" not in _all_ids(backend, ADMIN)


def test_delete_chunks(backend):
    backend.upsert(make_chunks())
    backend.delete_chunks(["doc-pub:1:1", "does-not-exist"])
    assert backend.chunk_ids("doc-pub") == {"doc-pub:1:0"}
    assert backend.count() == len(make_chunks()) - 1


def test_get_keeps_requested_order_and_round_trips(backend):
    chunks = {c.chunk_id: c for c in make_chunks()}
    backend.upsert(list(chunks.values()))
    wanted = ["doc-restr-dept:1:0", "doc-pub:1:1", "missing:1:0", "doc-pub:1:0"]
    got = backend.get(wanted)
    assert [c.chunk_id for c in got] == ["doc-restr-dept:1:0", "doc-pub:1:1", "doc-pub:1:0"]
    for c in got:
        assert c == chunks[c.chunk_id]  # text, positions and full DocumentMeta survive


def test_search_finds_exact_passage(backend):
    chunks = make_chunks()
    backend.upsert(chunks)
    target = next(c for c in chunks if c.chunk_id == "doc-int:1:0")
    hits = backend.search(target.text, 3, ADMIN)
    assert hits[0].chunk_id == target.chunk_id
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(hits[i].score >= hits[i + 1].score for i in range(len(hits) - 1))


def test_search_respects_k_and_empty_query(backend):
    backend.upsert(make_chunks())
    assert len(backend.search(COMMON_TERM, 2, ADMIN)) == 2
    assert backend.search("   ", 5, ADMIN) == []


@pytest.mark.parametrize(
    ("filters", "expected_docs"),
    [
        (SearchFilters(departments=[DEPT_B]), {"doc-deptB", "doc-restr-user"}),
        (SearchFilters(doc_types=["pdf"]), {"doc-int", "doc-restr-user"}),
        (
            SearchFilters(date_from=date(2024, 7, 1), date_to=date(2025, 1, 31)),
            {"doc-int", "doc-deptA"},
        ),
        # an undated document never satisfies a date bound
        (
            SearchFilters(date_to=date(2030, 1, 1)),
            {"doc-pub", "doc-int", "doc-deptA", "doc-deptB", "doc-restr-user"},
        ),
        (
            SearchFilters(departments=[DEPT_A], doc_types=["hwp", "xlsx"]),
            {"doc-pub", "doc-restr-dept"},
        ),
        (SearchFilters(departments=["없는부서"]), set()),
    ],
)
def test_filters(backend, filters, expected_docs):
    backend.upsert(make_chunks())
    got = {cid.split(":")[0] for cid in _all_ids(backend, ADMIN, filters)}
    assert got == expected_docs


@pytest.mark.parametrize("who", sorted(PRINCIPALS))
def test_read_scope_matches_access_rules(backend, who):
    chunks = make_chunks()
    backend.upsert(chunks)
    principal = PRINCIPALS[who]
    scope = read_scope(principal)
    allowed = {c.chunk_id for c in chunks if scope_allows(scope, c.meta)}
    assert _all_ids(backend, scope) == allowed
    # and the same holds under a filter
    f = SearchFilters(departments=[DEPT_B])
    allowed_b = {
        c.chunk_id for c in chunks if scope_allows(scope, c.meta) and c.meta.department == DEPT_B
    }
    assert _all_ids(backend, scope, f) == allowed_b


def test_department_a_never_sees_department_or_restricted_b(backend):
    backend.upsert(make_chunks())
    scope = read_scope(PRINCIPALS["staff_a"])
    # ask for B's private passages verbatim: they must not come back
    for text in ("기초생활수급자 사례관리 인력 재배치 방안", "특정 사업자 선정 과정 소명서 초안"):
        ids = {h.chunk_id for h in backend.search(text, 50, scope)}
        assert "doc-deptB:1:0" not in ids
        assert "doc-restr-user:1:0" not in ids


def test_expected_visibility_per_principal(backend):
    """Spell the rules out once, independent of scope_allows."""
    backend.upsert(make_chunks())
    docs = {
        who: {cid.split(":")[0] for cid in _all_ids(backend, read_scope(p))}
        for who, p in PRINCIPALS.items()
    }
    base = {"doc-pub", "doc-int"}
    assert docs["anonymous"] == {"doc-pub"}
    assert docs["staff_a"] == base | {"doc-deptA"}
    assert docs["staff_b"] == base | {"doc-deptB"}
    assert docs["kim_in_c"] == base | {"doc-restr-user", "doc-restr-dept"}
    assert docs["staff_c"] == base | {"doc-restr-dept"}
    assert docs["admin"] == {d[0] for d in DOCS}
