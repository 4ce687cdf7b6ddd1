"""The Korean web UI's entry and search pages (server-rendered Jinja2 + HTMX partials).

``/search`` answers a plain GET with the whole page (works without JavaScript, and a reload
or a shared link shows the same results) and an HTMX request with the results partial only.
Searches from here are audited like API searches, with surface ``web``.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from control_tower.access import can_read
from control_tower.domain import Principal, SearchFilters, nfc
from control_tower.retrieval import QueryError
from control_tower.retrieval.audited import audited_search
from serving.auth import optional_principal, page_principal
from serving.labels import FORMAT_CODES
from serving.templating import is_htmx, render

router = APIRouter()

RESULTS_PER_PAGE = 10


@router.get("/", include_in_schema=False)
def index(principal: Principal = Depends(optional_principal)) -> Response:
    target = "/search" if principal.authenticated else "/login"
    return RedirectResponse(target, status_code=303)


def readable_departments(request: Request, principal: Principal) -> list[str]:
    """Departments that own at least one document ``principal`` may read (filter choices)."""
    store = request.app.state.services.store
    return sorted(
        {r.department for r in store.list_documents() if can_read(principal, r.to_meta())}
    )


def _parse_date(value: str, label: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError("bad_date", f"{label}는 YYYY-MM-DD 형식이어야 합니다.") from None


def _run_search(request: Request, principal: Principal, form: dict[str, str]) -> dict:
    """Search as ``principal``; returns the template context (hits or a Korean error)."""
    services = request.app.state.services
    try:
        date_from = _parse_date(form["date_from"], "시작 날짜")
        date_to = _parse_date(form["date_to"], "끝 날짜")
        if date_from and date_to and date_from > date_to:
            raise QueryError("bad_date_range", "시작 날짜가 끝 날짜보다 늦습니다.")
        if form["doc_type"] and form["doc_type"] not in FORMAT_CODES:
            raise QueryError("bad_doc_type", "지원하지 않는 문서 형식입니다.")
        filters = SearchFilters(
            departments=[form["department"]] if form["department"] else [],
            doc_types=[form["doc_type"]] if form["doc_type"] else [],
            date_from=date_from,
            date_to=date_to,
        )
        hits, took_ms = audited_search(
            services.retriever,
            services.store,
            principal,
            form["q"],
            surface="web",
            k=RESULTS_PER_PAGE,
            filters=filters,
            client=request.client.host if request.client else None,
        )
    except QueryError as e:
        return {"hits": [], "error": e.message_ko, "searched": True}
    return {"hits": hits, "error": None, "searched": True, "took_ms": round(took_ms)}


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request,
    q: str = "",
    department: str = "",
    doc_type: str = "",
    date_from: str = "",
    date_to: str = "",
    principal: Principal = Depends(page_principal),
) -> Response:
    form = {
        "q": nfc(q).strip(),
        "department": nfc(department).strip(),
        "doc_type": doc_type.strip().lower(),
        "date_from": date_from,
        "date_to": date_to,
    }
    ctx: dict = {"form": form, "hits": [], "error": None, "searched": False}
    if form["q"]:
        ctx |= _run_search(request, principal, form)
    headers = {"Vary": "HX-Request"}
    if is_htmx(request):
        ctx["partial"] = True  # the status line goes out of band into #search-status
        return render(request, "search/_results.html", principal, ctx, headers=headers)
    ctx["departments"] = readable_departments(request, principal)
    return render(request, "search/page.html", principal, ctx, headers=headers)
