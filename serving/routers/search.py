"""`GET /api/v1/search`: hybrid search as the calling user, audited."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from control_tower.audit import AuditLog
from control_tower.domain import Citation, Principal, SearchFilters
from control_tower.retrieval import SEARCH_MODES, QueryError
from control_tower.retrieval.retriever import MAX_K, MAX_QUERY_CHARS
from serving.auth import current_principal

router = APIRouter(prefix="/api/v1", tags=["search"])


class SearchResult(BaseModel):
    doc_id: str
    title: str
    path: str
    department: str
    page: int | None
    section: str | None
    score: float
    text: str
    snippet: str  # HTML-safe, query terms in <mark>
    chunk_id: str
    citation: Citation
    dense_rank: int | None
    sparse_rank: int | None


class SearchResponse(BaseModel):
    query: str
    mode: str
    user: str
    took_ms: float
    results: list[SearchResult]


def _bad_request(code: str, message_ko: str) -> HTTPException:
    return HTTPException(status_code=400, detail={"code": code, "message": message_ko})


@router.get("/search", response_model=SearchResponse)
def search(
    request: Request,
    q: str = Query(..., description="검색어", max_length=MAX_QUERY_CHARS),
    k: int = Query(10, ge=1, le=MAX_K, description="결과 개수"),
    department: list[str] = Query(default=[], description="부서 (여러 개 가능)"),
    doc_type: list[str] = Query(default=[], description="문서 형식 (hwp, pdf, …)"),
    date_from: date | None = Query(None, description="문서 날짜 시작 (YYYY-MM-DD)"),
    date_to: date | None = Query(None, description="문서 날짜 끝 (YYYY-MM-DD)"),
    mode: str = Query("hybrid", description="hybrid, dense, sparse"),
    principal: Principal = Depends(current_principal),
) -> SearchResponse:
    if mode not in SEARCH_MODES:
        raise _bad_request("bad_mode", f"검색 방식은 {', '.join(SEARCH_MODES)} 중 하나여야 합니다.")
    if date_from and date_to and date_from > date_to:
        raise _bad_request("bad_date_range", "시작 날짜가 끝 날짜보다 늦습니다.")
    filters = SearchFilters(
        departments=department, doc_types=doc_type, date_from=date_from, date_to=date_to
    )
    services = request.app.state.services
    started = time.perf_counter()
    try:
        hits = services.retriever.search(q, principal, k=k, filters=filters, mode=mode)
    except QueryError as e:
        raise _bad_request(e.code, e.message_ko) from None
    took_ms = (time.perf_counter() - started) * 1000
    AuditLog(services.settings).search(
        principal,
        "api",
        q,
        k=k,
        mode=mode,
        filters=filters.model_dump(mode="json", exclude_defaults=True),
        results=[h.chunk_id for h in hits],
        latency_ms=round(took_ms, 1),
        client=request.client.host if request.client else None,
    )
    results: list[dict[str, Any]] = [
        {
            "doc_id": h.citation.doc_id,
            "title": h.citation.title,
            "path": h.citation.path,
            "department": h.citation.department,
            "page": h.citation.page,
            "section": h.citation.section,
            "score": h.score,
            "text": h.text,
            "snippet": h.snippet,
            "chunk_id": h.chunk_id,
            "citation": h.citation,
            "dense_rank": h.dense_rank,
            "sparse_rank": h.sparse_rank,
        }
        for h in hits
    ]
    return SearchResponse(
        query=q,
        mode=mode,
        user=principal.username,
        took_ms=round(took_ms, 1),
        results=[SearchResult(**r) for r in results],
    )
