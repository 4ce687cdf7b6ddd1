"""`GET /api/v1/search`: hybrid search as the calling user, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from control_tower.domain import Citation, Principal, SearchFilters
from control_tower.index.errors import IndexConfigError
from control_tower.names import display_location
from control_tower.retrieval import SEARCH_MODES, QueryError, Retriever
from control_tower.retrieval.audited import audited_search
from control_tower.retrieval.retriever import MAX_K, MAX_QUERY_CHARS
from serving.auth import current_principal
from serving.errors import ERROR_RESPONSES, ErrorResponse, api_error

# 503: the index on disk cannot be used with the current configuration (see IndexConfigError).
SEARCH_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    503: {"model": ErrorResponse, "description": "검색 색인을 사용할 수 없음"},
}
router = APIRouter(prefix="/api/v1", tags=["search"], responses=SEARCH_ERROR_RESPONSES)


class PublicCitation(Citation):
    """A citation as it leaves the server: ``path`` (the server file path) for admins only."""

    path: str | None = None  # type: ignore[assignment]
    location: str  # 부서/파일명, for people


class SearchResult(BaseModel):
    doc_id: str
    title: str
    location: str  # 부서/파일명 — where the document is, for people
    path: str | None = None  # the server file path: admins only
    department: str
    page: int | None
    section: str | None
    # Admins only: BM25 weights words by their frequency over EVERY document, so a raw score
    # would tell a caller something about documents they cannot read. Others get the order.
    score: float | None = None
    text: str
    snippet: str  # HTML-safe, query terms in <mark>
    chunk_id: str
    citation: PublicCitation
    dense_rank: int | None
    sparse_rank: int | None


class SearchResponse(BaseModel):
    query: str
    mode: str
    user: str
    took_ms: float
    results: list[SearchResult]


@router.get("/search", response_model=SearchResponse)
def search(
    request: Request,
    # No max_length here: the limit is counted after NFC (an NFD query has ~2.5 code points
    # per syllable) and refused with the Korean query_too_long error, by Retriever._check.
    q: str = Query(..., description=f"검색어 (NFC 기준 최대 {MAX_QUERY_CHARS}자)"),
    k: int = Query(10, ge=1, le=MAX_K, description="결과 개수"),
    department: list[str] = Query(default=[], description="부서 (여러 개 가능)"),
    doc_type: list[str] = Query(default=[], description="문서 형식 (hwp, pdf, …)"),
    date_from: date | None = Query(None, description="문서 날짜 시작 (YYYY-MM-DD)"),
    date_to: date | None = Query(None, description="문서 날짜 끝 (YYYY-MM-DD)"),
    mode: str = Query("hybrid", description="hybrid, dense, sparse"),
    principal: Principal = Depends(current_principal),
) -> SearchResponse:
    if mode not in SEARCH_MODES:
        raise api_error(
            400, "bad_mode", f"검색 방식은 {', '.join(SEARCH_MODES)} 중 하나여야 합니다."
        )
    try:  # before the retriever is touched: refusing a query costs no model load
        Retriever._check(q, k, mode)
    except QueryError as e:
        raise api_error(400, e.code, e.message_ko) from None
    if date_from and date_to and date_from > date_to:
        raise api_error(400, "bad_date_range", "시작 날짜가 끝 날짜보다 늦습니다.")
    filters = SearchFilters(
        departments=department, doc_types=doc_type, date_from=date_from, date_to=date_to
    )
    services = request.app.state.services
    try:
        hits, took_ms = audited_search(
            services.retriever,
            services.store,
            principal,
            q,
            surface="api",
            k=k,
            filters=filters,
            mode=mode,
            client=request.client.host if request.client else None,
        )
    except QueryError as e:
        raise api_error(400, e.code, e.message_ko) from None
    except IndexConfigError as e:
        raise api_error(503, e.code, e.message_ko + (f" {e.hint}" if e.hint else "")) from None
    cited = [_public_citation(h.citation, principal) for h in hits]
    results: list[dict[str, Any]] = [
        {
            "doc_id": c.doc_id,
            "title": c.title,
            "location": c.location,
            "path": c.path,
            "department": c.department,
            "page": c.page,
            "section": c.section,
            "score": h.score if principal.is_admin else None,
            "text": h.text,
            "snippet": h.snippet,
            "chunk_id": h.chunk_id,
            "citation": c,
            "dense_rank": h.dense_rank,
            "sparse_rank": h.sparse_rank,
        }
        for h, c in zip(hits, cited, strict=True)
    ]
    return SearchResponse(
        query=q,
        mode=mode,
        user=principal.username,
        took_ms=round(took_ms, 1),
        results=[SearchResult(**r) for r in results],
    )


def _public_citation(c: Citation, principal: Principal) -> PublicCitation:
    return PublicCitation(
        **c.model_dump(exclude={"path"}),
        path=c.path if principal.is_admin else None,
        location=display_location(c.department, c.path, c.title),
    )
