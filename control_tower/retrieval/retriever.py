"""The hybrid retriever: dense + sparse candidates → fusion → access re-check → collapse →
citations and highlighted snippets → optional rerank.

Access control lives here, not in callers: the principal's ``ReadScope`` is handed to both
backends (which filter before their top-k, so forbidden text is never even scored), and every
hit is re-checked with ``can_read`` before it leaves (defence in depth: a backend bug must not
leak a document).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from control_tower.access import ReadScope, can_read, read_scope
from control_tower.domain import Chunk, Citation, Principal, SearchFilters, SearchHit, nfc
from control_tower.index.base import ScoredChunk, matches_filters
from control_tower.index.korean_tokenizer import KiwiTokenizer
from control_tower.retrieval.fusion import FusedHit, fuse, single
from control_tower.retrieval.query_profile import QueryProfile, lexical_coverage, profile_query
from control_tower.retrieval.rerank import Reranker
from control_tower.retrieval.snippets import highlight_many, query_terms
from control_tower.retrieval.strategies import FusionStrategy, get_strategy
from control_tower.settings import Settings

log = logging.getLogger(__name__)

SearchMode = Literal["hybrid", "dense", "sparse"]
SEARCH_MODES: tuple[str, ...] = ("hybrid", "dense", "sparse")
MAX_QUERY_CHARS = 1000
MAX_K = 100


class QueryError(ValueError):
    """A query we refuse, with a machine code and a Korean message for people."""

    def __init__(self, code: str, message_ko: str):
        super().__init__(message_ko)
        self.code = code
        self.message_ko = message_ko


@dataclass(slots=True)
class Candidates:
    """Both retrievers' raw lists for one query (what fusion strategies are compared on)."""

    query: str
    profile: QueryProfile
    dense: list[ScoredChunk]
    sparse: list[ScoredChunk]
    coverage: float | None  # lexical coverage of the best sparse hit (None: no sparse hit)


def doc_id_of(chunk_id: str) -> str:
    """Chunk ids are ``f"{doc_id}:{version}:{ordinal}"``; doc ids may contain ':' themselves."""
    return chunk_id.rsplit(":", 2)[0]


def citation_of(chunk: Chunk) -> Citation:
    m = chunk.meta
    return Citation(
        doc_id=m.doc_id,
        version=m.version,
        title=m.title,
        department=m.department,
        path=m.source_path,
        doc_type=m.doc_type,
        page=chunk.page,
        section=chunk.section,
        paragraph_index=chunk.paragraph_index,
        sheet=chunk.sheet,
        row=chunk.row,
        char_start=chunk.char_start,
        char_end=chunk.char_end,
    )


class Retriever:
    def __init__(
        self,
        settings: Settings,
        index=None,
        *,
        reranker: Reranker | None = None,
        strategy: FusionStrategy | str | None = None,
    ):
        self.settings = settings
        if index is None:
            from control_tower.index import open_index

            index = open_index(settings)
        self.index = index
        self.reranker = reranker
        name = strategy or settings.retrieval_fusion
        self.strategy = get_strategy(name) if isinstance(name, str) else name

    # --- public API -----------------------------------------------------------------------
    def search(
        self,
        query: str,
        principal: Principal,
        k: int = 10,
        filters: SearchFilters | None = None,
        mode: SearchMode = "hybrid",
        *,
        max_per_doc: int | None = -1,
        snippets: bool = True,
    ) -> list[SearchHit]:
        """Top ``k`` chunks ``principal`` may read, best first.

        ``max_per_doc``: at most this many chunks of one document (None: no limit; the
        default -1 means ``Settings.retrieval_max_chunks_per_doc``).
        """
        query = self._check(query, k, mode)
        if max_per_doc == -1:
            max_per_doc = self.settings.retrieval_max_chunks_per_doc
        scope = read_scope(principal)
        n = max(self.settings.retrieval_candidates, k * 5)
        cands = self.candidates(query, scope, n, filters, mode)
        ranked = self.rank(cands, mode)
        hits = self._materialize(query, ranked, principal, filters, k, max_per_doc, snippets)
        if self.reranker is not None:
            hits = self.reranker.rerank(query, hits)[:k]
        return hits

    def warm_up(self) -> None:
        """Load what the first search of a process would: the embedding model, Kiwi, Chroma's
        HNSW graph and the BM25 matrix. As an anonymous principal: it needs no rights."""
        self.search("포항시 인공지능 사업 예산", Principal.anonymous(), k=1)

    def candidates(
        self,
        query: str,
        scope: ReadScope,
        n: int,
        filters: SearchFilters | None = None,
        mode: SearchMode = "hybrid",
        *,
        with_coverage: bool = False,
    ) -> Candidates:
        """Both backends' top ``n`` under ``scope`` + ``filters`` (no fusion yet).

        ``with_coverage``: compute the lexical coverage even if the configured strategy does
        not use it (the evaluation compares strategies on the same candidates).
        """
        query = nfc(query)
        spans = KiwiTokenizer.shared().spans(query)
        profile = profile_query(query, spans)
        dense = self.index.dense_search(query, n, scope, filters) if mode != "sparse" else []
        sparse = self.index.sparse.search(query, n, scope, filters) if mode != "dense" else []
        coverage = None
        if sparse and mode == "hybrid" and (with_coverage or self.strategy.needs_coverage):
            # The terms stored at indexing time: re-analysing the text would cost ~5 ms.
            terms = self.index.terms(sparse[0].chunk_id)
            if terms is not None:
                coverage = lexical_coverage(profile, set(terms))
        return Candidates(query, profile, dense, sparse, coverage)

    def rank(
        self, cands: Candidates, mode: SearchMode = "hybrid", strategy: FusionStrategy | None = None
    ) -> list[FusedHit]:
        if mode == "dense":
            return single(cands.dense, "dense")
        if mode == "sparse":
            return single(cands.sparse, "sparse")
        strategy = strategy or self.strategy
        weights = strategy.weights_for(cands.profile, cands.coverage)
        return fuse(cands.dense, cands.sparse, strategy.method, weights)

    # --- internals ------------------------------------------------------------------------
    @staticmethod
    def _check(query: str, k: int, mode: str) -> str:
        query = nfc(query or "").strip()
        if not query:
            raise QueryError("empty_query", "검색어를 입력하세요.")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError("query_too_long", f"검색어가 너무 깁니다 (최대 {MAX_QUERY_CHARS}자).")
        if not 1 <= k <= MAX_K:
            raise QueryError("bad_k", f"결과 개수(k)는 1에서 {MAX_K} 사이여야 합니다.")
        if mode not in SEARCH_MODES:
            raise QueryError(
                "bad_mode", f"검색 방식은 {', '.join(SEARCH_MODES)} 중 하나여야 합니다: '{mode}'"
            )
        return query

    def _materialize(
        self,
        query: str,
        ranked: Sequence[FusedHit],
        principal: Principal,
        filters: SearchFilters | None,
        k: int,
        max_per_doc: int | None,
        snippets: bool,
    ) -> list[SearchHit]:
        chosen: list[tuple[FusedHit, Chunk]] = []
        per_doc: dict[str, int] = {}
        # Fetch in slices: usually the first slice fills k, and fetching is the costly part.
        step = max(k * 2, 20)
        for begin in range(0, len(ranked), step):
            window = ranked[begin : begin + step]
            chunks = {c.chunk_id: c for c in self.index.get([h.chunk_id for h in window])}
            for hit in window:
                chunk = chunks.get(hit.chunk_id)
                if chunk is None:  # deleted between search and fetch
                    continue
                if not can_read(principal, chunk.meta):
                    # Expected right after an access change while the web app still searches
                    # a stale BM25 snapshot; anything else is a backend bug.
                    log.warning(
                        "index returned a chunk outside the read scope: %s for %s",
                        hit.chunk_id,
                        principal.username,
                    )
                    continue
                if not matches_filters(chunk, filters):
                    continue
                doc = chunk.meta.doc_id
                if max_per_doc is not None and per_doc.get(doc, 0) >= max_per_doc:
                    continue
                per_doc[doc] = per_doc.get(doc, 0) + 1
                chosen.append((hit, chunk))
                if len(chosen) == k:
                    break
            if len(chosen) == k:
                break

        if snippets and chosen:
            stored = self.index.term_spans([c.chunk_id for _, c in chosen])
            texts = highlight_many(
                [c.text for _, c in chosen],
                query_terms(query),
                spans=[stored.get(c.chunk_id) for _, c in chosen],
            )
        else:
            texts = [""] * len(chosen)
        return [
            SearchHit(
                chunk_id=chunk.chunk_id,
                score=hit.score,
                text=chunk.text,
                snippet=snippet,
                citation=citation_of(chunk),
                dense_rank=hit.dense_rank,
                sparse_rank=hit.sparse_rank,
            )
            for (hit, chunk), snippet in zip(chosen, texts, strict=True)
        ]
