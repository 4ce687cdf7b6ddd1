"""The Korean web UI's document pages: the list with batch upload (``/documents``) and a
cited passage in its context (``/documents/{doc_id}/passage``).

Uploads, re-ingest and delete go through the JSON API (``serving/routers/documents.py``,
``serving/routers/jobs.py``) from ``static/documents.js``; this module only renders. Everything is
access-checked here again: the list shows only readable documents, and the passage page
answers an unreadable document exactly like an unknown one (404).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from control_tower.access import can_read, can_write_department
from control_tower.accounts import list_departments
from control_tower.domain import AccessLevel, Principal, nfc
from control_tower.retrieval.passage import passage_in_context
from control_tower.retrieval.retriever import MAX_QUERY_CHARS
from control_tower.retrieval.snippets import query_terms
from serving.auth import page_principal
from serving.templating import has_route, is_htmx, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100  # documents per page of the list (newest first)

ACCESS_CHOICES = (
    (AccessLevel.internal.value, "내부 (시청 직원 전체)"),
    (AccessLevel.department.value, "부서 한정 (소유 부서만)"),
    (AccessLevel.restricted.value, "지정 사용자 (허용 목록만)"),
    (AccessLevel.public.value, "전체 공개 (로그인 없이도)"),
)


def writable_departments(request: Request, principal: Principal) -> list[str]:
    """Managed, active departments ``principal`` may upload for (the API checks again)."""
    store = request.app.state.services.store
    names = {d.name for d in list_departments(store, include_inactive=False)}
    return sorted(d for d in names if can_write_department(principal, d))


def may_manage(principal: Principal, department: str) -> bool:
    """Re-ingest and delete: the same rule the API enforces (admins, and whoever may write
    for the owning department: its own staff and the AI division)."""
    return principal.is_admin or can_write_department(principal, department)


@router.get("/documents")
def documents_page(
    request: Request,
    job: str = "",
    page: int = Query(1, ge=1, le=100_000),
    principal: Principal = Depends(page_principal),
) -> Response:
    store = request.app.state.services.store
    readable = [r for r in store.list_documents() if can_read(principal, r.to_meta())]
    readable.sort(key=lambda r: r.updated_at, reverse=True)
    pages = max(1, -(-len(readable) // PAGE_SIZE))
    page = min(page, pages)
    docs = readable[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ctx = {
        "documents": docs,
        "total": len(readable),
        "page": page,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "manageable": {r.doc_id for r in docs if may_manage(principal, r.department)},
        "can_delete": has_route(request, "DELETE", "/api/v1/documents/x"),
        "can_reingest": has_route(request, "POST", "/api/v1/documents/x/reingest"),
        "job": job,
    }
    if is_htmx(request):
        return render(request, "documents/_table.html", principal, ctx)
    settings = request.app.state.services.settings
    ctx |= {
        "departments": writable_departments(request, principal),
        "access_choices": ACCESS_CHOICES,
        "max_file_mb": settings.max_file_mb,
        "max_files": settings.upload_max_files,
    }
    return render(request, "documents/page.html", principal, ctx)


@router.get("/documents/{doc_id}/passage")
def passage_page(
    request: Request,
    doc_id: str,
    chunk: str = "",
    q: str = "",
    department: str = "",
    doc_type: str = "",
    date_from: str = "",
    date_to: str = "",
    principal: Principal = Depends(page_principal),
) -> Response:
    services = request.app.state.services
    passage = passage_in_context(services.index, services.store, principal, doc_id, chunk)
    if passage is None:
        return render(
            request,
            "not_found.html",
            principal,
            {"message": "문서를 찾을 수 없거나 열람 권한이 없습니다."},
            status_code=404,
        )
    q = nfc(q).strip()[:MAX_QUERY_CHARS]
    terms = query_terms(q) if q else set()  # the searched words, marked in the cited part
    # "back to the results" returns to the same search, filters included
    filters = dict(department=department, doc_type=doc_type, date_from=date_from, date_to=date_to)
    back = {"q": q} | {k: v[:200] for k, v in filters.items() if v}
    ctx = {"passage": passage, "q": q, "terms": terms, "back": back}
    return render(request, "documents/passage.html", principal, ctx)
