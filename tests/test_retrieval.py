"""Retriever behaviour on a real index: filters, citations, snippets, collapse, modes, errors."""

from __future__ import annotations

import re
from datetime import date

import pytest

from control_tower.domain import SearchFilters
from control_tower.index.korean_tokenizer import BIGRAM_TAG, term_spans
from control_tower.retrieval import QueryError, Retriever
from control_tower.retrieval.snippets import (
    _match_ranges,
    highlight,
    highlight_many,
    query_terms,
)
from tests.test_retrieval_fixtures import PRINCIPALS, embedder, retrieval_env  # noqa: F401

ADMIN = PRINCIPALS["admin"]


# --- snippets (no index needed) ---------------------------------------------------------------
def test_highlight_marks_stem_not_particle():
    snippet = highlight("통합 플랫폼을 구축한다", query_terms("플랫폼"))
    assert "<mark>플랫폼</mark>을" in snippet


def test_highlight_matches_inflected_query():
    # The query carries a particle, the text another one: both reduce to 데이터.
    snippet = highlight("교통 데이터의 개방", query_terms("데이터를"))
    assert "<mark>데이터</mark>의" in snippet


def test_highlight_escapes_html_except_marks():
    snippet = highlight('<script>alert("x")</script> 플랫폼 & 예산', query_terms("플랫폼 예산"))
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert "<mark>플랫폼</mark>" in snippet and "<mark>예산</mark>" in snippet


def test_highlight_windows_long_text_around_matches():
    text = "가나다라 " * 200 + "스마트 신호등 실증사업" + " 마바사" * 200
    snippet = highlight(text, query_terms("신호등"), width=120)
    assert "<mark>신호등</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 200


def test_highlight_without_matches_is_text_start():
    assert highlight("포항시 교통 계획", set()) == "포항시 교통 계획"


def test_highlight_window_marks_match_the_full_text_analysis():
    # Only the excerpt is analysed: its marks must be those of analysing the whole text.
    text = (
        "포항시 교통정책과는 " * 60
        + "통합 데이터 플랫폼을 구축하고 데이터를 개방한다. "
        + "끝 " * 80
    )
    terms = query_terms("데이터 플랫폼")
    whole = _match_ranges(term_spans(text), terms)  # marks when analysing the whole text
    snippet = highlight(text, terms)
    marked = re.findall(r"<mark>(.*?)</mark>", snippet)
    assert marked == [text[a:z] for a, z in whole] == ["데이터 플랫폼", "데이터"]
    assert snippet.startswith("…") and snippet.endswith("…")


def test_highlight_does_not_split_a_word_cut_by_the_window():
    # "플랫폼을" straddles the analysed region's context margin; it must still read as 플랫폼.
    text = "가" * 300 + " 플랫폼을 통한 플랫폼 " + "나" * 300
    snippet = highlight(text, query_terms("플랫폼"), width=40)
    assert snippet.count("<mark>플랫폼</mark>") == 2


def test_highlight_many_equals_one_by_one():
    texts = ["교통 데이터의 개방", "예산 " * 100 + "저상버스 도입", "", "관계 없는 문장"]
    terms = query_terms("저상버스 데이터")
    assert highlight_many(texts, terms) == [highlight(t, terms) for t in texts]


# --- retriever on the real index --------------------------------------------------------------
@pytest.fixture(scope="module")
def retriever(retrieval_env):  # noqa: F811
    return Retriever(retrieval_env.settings, index=retrieval_env.index)


def test_best_hit_has_citation_and_snippet(retriever):
    hits = retriever.search("저상버스 도입 현황", ADMIN, k=3, max_per_doc=None)
    top = hits[0]
    assert top.chunk_id == "doc-pub:1:1"
    c = top.citation
    assert (c.doc_id, c.version, c.department, c.doc_type) == ("doc-pub", 1, "교통정책과", "hwp")
    assert c.path == "/corpus/doc-pub.hwp" and c.paragraph_index == 1
    assert c.char_end > c.char_start
    assert "<mark>저상버스</mark>" in top.snippet
    assert top.dense_rank is not None and top.sparse_rank is not None


def test_collapse_one_chunk_per_document_by_default(retriever):
    hits = retriever.search("포항시 버스", ADMIN, k=10)
    docs = [h.citation.doc_id for h in hits]
    assert len(docs) == len(set(docs))
    all_hits = retriever.search("포항시 버스", ADMIN, k=10, max_per_doc=None)
    assert [h.citation.doc_id for h in all_hits].count("doc-pub") == 2


def test_department_filter(retriever):
    hits = retriever.search(
        "포항시", ADMIN, k=20, filters=SearchFilters(departments=["복지정책과"])
    )
    assert {h.citation.department for h in hits} == {"복지정책과"}
    assert {h.citation.doc_id for h in hits} == {"doc-deptB", "doc-restr-user"}


def test_doc_type_and_date_filters(retriever):
    pdf = retriever.search("포항시", ADMIN, k=20, filters=SearchFilters(doc_types=["pdf"]))
    assert {h.citation.doc_id for h in pdf} == {"doc-int", "doc-restr-user"}
    recent = SearchFilters(date_from=date(2024, 6, 1), date_to=date(2025, 1, 31))
    hits = retriever.search("포항시", ADMIN, k=20, filters=recent)
    # doc-restr-dept has no date: a date filter excludes it.
    assert {h.citation.doc_id for h in hits} == {"doc-int", "doc-deptA"}


def test_modes_report_their_ranks(retriever):
    sparse = retriever.search("주차장 부지 매입", ADMIN, k=3, mode="sparse")
    dense = retriever.search("주차장 부지 매입", ADMIN, k=3, mode="dense")
    assert sparse[0].citation.doc_id == "doc-deptA" and sparse[0].dense_rank is None
    assert dense[0].dense_rank == 1 and dense[0].sparse_rank is None


def test_identifier_query_found_by_sparse_side(retriever):
    hits = retriever.search("2026년 한도액 시뮬레이션", ADMIN, k=1)
    assert hits[0].citation.doc_id == "doc-restr-dept"


@pytest.mark.parametrize(
    "query,k,mode,code",
    [
        ("   ", 10, "hybrid", "empty_query"),
        ("포항", 0, "hybrid", "bad_k"),
        ("포항", 10, "fuzzy", "bad_mode"),
        ("가" * 2000, 10, "hybrid", "query_too_long"),
    ],
)
def test_bad_queries_raise_korean_errors(retriever, query, k, mode, code):
    with pytest.raises(QueryError) as err:
        retriever.search(query, ADMIN, k=k, mode=mode)
    assert err.value.code == code
    assert any("\uac00" <= ch <= "\ud7a3" for ch in err.value.message_ko)


def test_coverage_uses_the_terms_stored_at_indexing(retrieval_env):  # noqa: F811
    from control_tower.index.korean_tokenizer import tokenize

    index = retrieval_env.index
    (chunk,) = index.get(["doc-pub:1:1"])
    assert index.terms("doc-pub:1:1") == tokenize(chunk.text)
    assert index.terms("no-such:1:0") is None


def test_stored_spans_are_the_full_text_analysis(retrieval_env):  # noqa: F811
    index = retrieval_env.index
    ids = ["doc-pub:1:1", "doc-pub:1:0"]
    stored = index.term_spans(ids)
    for chunk in index.get(ids):
        expected = [(s.term, s.start, s.end) for s in term_spans(chunk.text) if s.tag != BIGRAM_TAG]
        assert [(s.term, s.start, s.end) for s in stored[chunk.chunk_id]] == expected


def test_snippet_from_stored_spans_equals_analysed_snippet(retriever):
    hits = retriever.search("저상버스 도입 현황", ADMIN, k=3, max_per_doc=None)
    terms = query_terms("저상버스 도입 현황")
    for hit in hits:
        assert hit.snippet == highlight(hit.text, terms)


def test_store_without_spans_is_upgraded_and_still_highlighted(tmp_path):
    import sqlite3

    from control_tower.index.bm25_backend import BM25ChunkIndex

    folder = tmp_path / "bm25"
    folder.mkdir()
    old = sqlite3.connect(folder / "chunks.db")
    old.executescript(
        """CREATE TABLE chunks (chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL,
        access TEXT NOT NULL, department TEXT NOT NULL, doc_type TEXT NOT NULL, date INTEGER,
        allowed_users TEXT NOT NULL, allowed_departments TEXT NOT NULL, tokens TEXT NOT NULL,
        chunk_json TEXT NOT NULL);
        INSERT INTO chunks VALUES ('a:1:0', 'a', 'public', '교통정책과', 'txt', NULL, '[]', '[]',
        '버스', '{}');"""
    )
    old.commit()
    old.close()
    index = BM25ChunkIndex(directory=folder)
    assert index.term_spans(["a:1:0"]) == {}  # unknown: the retriever analyses the excerpt
    # A text without stored spans gets the same marks from the excerpt analysis.
    assert highlight_many(["저상버스를 도입한다"], query_terms("저상버스"), spans=[None]) == [
        "<mark>저상버스</mark>를 도입한다"
    ]


def test_warm_up_loads_the_bm25_snapshot(retrieval_env):  # noqa: F811
    fresh = Retriever(retrieval_env.settings, index=retrieval_env.index)
    retrieval_env.index.sparse._snapshot = None
    fresh.warm_up()
    assert retrieval_env.index.sparse._snapshot is not None
