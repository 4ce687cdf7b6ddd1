"""The registry pages: the card table (``/registry``), one card (``/registry/{id}``), its edit
form (``POST /registry/{id}/edit``) and the rebuild button (``POST /registry/build``).

Everything goes through ``control_tower.registry.service`` as the caller, so a card, field or
passage the caller may not read is never rendered; an unknown and an invisible card answer
the same 404. Pages are for the AI division, department heads and admins (the role check is
here, not just in the navigation); edits follow ``service.may_edit``.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from control_tower.domain import Principal, Role, name_key, nfc
from control_tower.jobs import JobError
from control_tower.jobs.registry import get_kind
from control_tower.registry.edits import history
from control_tower.registry.service import RegistryError, edit_card, get_card, list_cards, may_edit
from control_tower.registry.types import CARD_FIELDS, ProjectCard
from serving.auth import page_roles
from serving.routers.documents_upload import audit
from serving.routers.ui_registry_cite import Citer
from serving.routers.ui_registry_view import (
    FIELD_LABELS,
    LONG_FIELDS,
    STATUSES,
    input_text,
    path_fn_for,
    value_text,
    value_view,
)
from serving.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
READERS = (Role.ai_division, Role.dept_head)  # admins always pass
BUILD_KIND = "registry_build"
PAGE_SIZE = 200  # cards per page of the table (an imported budget list has thousands)
SORTS = {  # sort key -> (what a card is sorted by; None: unknown, always listed last)
    "name": lambda c: c.name,
    "department": lambda c: (c.lead_department or "", c.name),
    "budget": lambda c: c.value("budget_eok"),
    "start_year": lambda c: c.value("start_year"),
}


def sorted_cards(cards: list[ProjectCard], sort: str, descending: bool) -> list[ProjectCard]:
    key = SORTS[sort]
    known = [c for c in cards if key(c) is not None]
    unknown = [c for c in cards if key(c) is None]
    return sorted(known, key=key, reverse=descending) + sorted(unknown, key=lambda c: c.name)


def may_build(principal: Principal) -> bool:
    return principal.is_admin or Role.ai_division in principal.roles


def _matches(card: ProjectCard, q: str) -> bool:
    """Text filter over what the card says: names, goal, summary, technologies, data,
    beneficiaries, partners and its own passages (only what the caller may see)."""
    return q.casefold() in nfc(card.text()).casefold()


def _row(card: ProjectCard) -> dict:
    start, end = card.value("start_year"), card.value("end_year")
    period = (
        str(start)
        if start and start == end
        else (f"{start or ''}–{end or ''}" if (start or end) else "")
    )
    return {
        "id": card.id,
        "name": card.name or "(이름 없음)",
        "lead": card.lead_department or "",
        "others": card.departments[1:],
        "status": card.value("status") or "",
        "period": period,
        "budget": value_text("budget_eok", card.value("budget_eok")),
        "sources": len(card.sources()),
    }


def _url(form: dict, **changes) -> str:
    """The table's URL with ``changes`` (empty values left out: short, shareable links)."""
    params = {k: v for k, v in (form | changes).items() if v not in ("", None, 1)}
    return "/registry?" + urlencode(params) if params else "/registry"


@router.get("/registry")
def registry_page(
    request: Request,
    department: str = Query("", max_length=200),
    status: str = Query("", max_length=20),
    q: str = Query("", max_length=200),
    sort: str = "department",
    order: str = "asc",
    page: int = Query(1, ge=1, le=100_000),
    job: str = Query("", max_length=100),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    cards = list_cards(request.app.state.services.store, principal)
    departments = sorted({d for c in cards for d in c.departments})
    department, q = nfc(department).strip(), nfc(q).strip()
    shown = cards
    if department:
        want = name_key(department)
        shown = [c for c in shown if want in (name_key(d) for d in c.departments)]
    if status in STATUSES:
        shown = [c for c in shown if c.value("status") == status]
    if q:
        shown = [c for c in shown if _matches(c, q)]
    sort = sort if sort in SORTS else "department"
    order = "desc" if order == "desc" else "asc"
    shown = sorted_cards(shown, sort, order == "desc")
    pages = max(1, -(-len(shown) // PAGE_SIZE))
    page = min(page, pages)
    form = {"department": department, "status": status, "q": q, "sort": sort, "order": order}
    ctx = {
        "rows": [_row(c) for c in shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]],
        "matched": len(shown),
        "total": len(cards),
        "page": page,
        "pages": pages,
        "form": form,
        "sort_urls": {
            key: _url(form, sort=key, order="desc" if (key == sort and order == "asc") else "asc")
            for key in SORTS
        },
        "prev_url": _url(form, page=page - 1) if page > 1 else None,
        "next_url": _url(form, page=page + 1) if page < pages else None,
        "departments": departments,
        "statuses": STATUSES,
        "can_build": may_build(principal) and get_kind(BUILD_KIND) is not None,
        "job": job,
    }
    if is_htmx(request):
        return render(request, "registry/_table.html", principal, ctx)
    return render(request, "registry/page.html", principal, ctx)


@router.post("/registry/build")
def build_registry_job(
    request: Request, principal: Principal = Depends(page_roles(*READERS))
) -> Response:
    """Queue a registry build (documents → cards → links) and answer its job id (202)."""
    if not may_build(principal):
        return _json_error(
            403, "forbidden", "레지스트리는 AI 전담부서와 관리자만 다시 만들 수 있습니다."
        )
    try:
        job = request.app.state.services.jobs.submit(
            BUILD_KIND, {}, principal, title="사업 등록부 다시 만들기"
        )
    except ValueError:
        return _json_error(503, "no_job_kind", "레지스트리 만들기 작업이 이 서버에 없습니다.")
    except JobError as err:
        return _json_error(503, err.code, err.message_ko)
    audit(request, principal, "registry_build", job.job_id)
    return JSONResponse({"job_id": job.job_id, "state": job.state}, status_code=202)


def _json_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": {"code": code, "message": message}}, status_code=status)


def _field_rows(request: Request, principal: Principal, card: ProjectCard) -> list[dict]:
    path = path_fn_for(principal)
    cite = Citer(request.app.state.services, card)
    rows = []
    for field in CARD_FIELDS:
        values = card.fields.get(field, [])
        shown = value_view(field, values[0], path, cite) if values else None
        if shown and field in ("technologies", "data", "beneficiaries", "partners", "kpis", "laws"):
            shown["text"] = value_text(field, card.value(field))  # the union, as the card shows
        rows.append(
            {
                "field": field,
                "label": FIELD_LABELS.get(field, field),
                "value": shown,
                "alternatives": [value_view(field, v, path, cite) for v in values[1:]],
                "edited": bool(values) and values[0].method == "edit",
                "input": input_text(field, card.value(field)),
                "long": field in LONG_FIELDS,
            }
        )
    return rows


def _detail(
    request: Request,
    principal: Principal,
    card: ProjectCard,
    *,
    error: dict | None = None,
    saved: str = "",
    status_code: int = 200,
) -> Response:
    store = request.app.state.services.store
    path = path_fn_for(principal)
    cite = Citer(request.app.state.services, card)
    ctx = {
        "card": card,
        "rows": _field_rows(request, principal, card),
        "passages": [
            {
                "text": p.text,
                "kind": p.kind,
                "source": value_view("name", _fv(p), path, cite)["source"],
            }
            for p in card.passages
        ],
        "history": [
            h
            | {
                "label": FIELD_LABELS.get(h["field"], h["field"]),
                "text": value_text(h["field"], h["value"]),
                "when": datetime.fromisoformat(h["at"]),
            }
            for h in history(store, card.id)
        ],
        "can_edit": may_edit(principal, card),
        "statuses": STATUSES,
        "error": error,
        "saved": FIELD_LABELS.get(saved, ""),
    }
    return render(request, "registry/card.html", principal, ctx, status_code=status_code)


def _fv(passage):  # noqa: ANN001, ANN202 - a passage's source shown like a value's
    from control_tower.registry.types import FieldValue

    return FieldValue(value=None, method="rule", source=passage.source)


def _not_found(request: Request, principal: Principal, message: str) -> Response:
    return render(request, "not_found.html", principal, {"message": message}, status_code=404)


@router.get("/registry/{card_id}")
def card_page(
    request: Request,
    card_id: str,
    saved: str = Query("", max_length=40),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    try:
        card = get_card(request.app.state.services.store, principal, card_id)
    except RegistryError as err:
        return _not_found(request, principal, err.message_ko)
    return _detail(request, principal, card, saved=saved if saved in CARD_FIELDS else "")


@router.post("/registry/{card_id}/edit")
def edit_field(
    request: Request,
    card_id: str,
    field: str = Form(..., max_length=40),
    value: str = Form("", max_length=4000),
    action: str = Form("save"),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    """Save or revert one field, then back to the card (303); a bad value re-renders the card
    with the Korean reason (422), the typed value kept in the form."""
    store = request.app.state.services.store
    try:
        if action == "revert":
            edit_card(store, principal, card_id, revert=[field])
        else:
            edit_card(store, principal, card_id, set_values={field: nfc(value).strip()})
    except RegistryError as err:
        if err.status == 404:
            return _not_found(request, principal, err.message_ko)
        try:
            card = get_card(store, principal, card_id)
        except RegistryError as again:
            return _not_found(request, principal, again.message_ko)
        label = FIELD_LABELS.get(field, field)
        message = err.message_ko.replace(f"'{field}'", f"'{label}'")
        error = {"field": field, "message": message, "value": value}
        return _detail(request, principal, card, error=error, status_code=err.status)
    if action == "revert":
        audit(request, principal, "registry_edit", card_id, fields=[], reverted=[field])
    else:
        audit(request, principal, "registry_edit", card_id, fields=[field], reverted=[])
    target = f"/registry/{quote(card_id)}?saved={quote(field)}#field-{quote(field)}"
    return RedirectResponse(target, status_code=303)
