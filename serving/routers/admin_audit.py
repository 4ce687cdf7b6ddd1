"""감사 로그: the page ``/admin/audit``, ``GET /api/v1/admin/audit`` and the CSV export
``GET /api/v1/admin/audit.csv`` — admins only, newest first, filtered by period, user,
department, event and outcome. The export is itself audited (``admin.audit_export``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from control_tower.accounts import list_departments
from control_tower.audit import AuditFilter, AuditLog
from control_tower.audit_export import csv_lines
from control_tower.domain import Principal, Role, nfc, now
from control_tower.store.models import AuditEventRow
from serving.auth import auth_context, page_roles, require_roles
from serving.auth_flow import audit
from serving.errors import api_error
from serving.routers.admin_labels import EVENT_LABELS, OUTCOME_LABELS
from serving.routers.admin_schemas import ADMIN_RESPONSES, AuditEventOut, AuditPage
from serving.templating import render

router = APIRouter(tags=["admin"])
OUTCOMES = ("ok", "denied", "failed")
MAX_PER_PAGE = 200
MIN_DAY, MAX_DAY = date(1900, 1, 1), date(9000, 12, 31)  # beyond: date arithmetic overflows


class FilterError(ValueError):
    pass


def _day(value: date | str | None, label: str) -> date | None:
    if value is None or isinstance(value, date):
        return _in_range(value, label)
    value = value.strip()
    if not value:
        return None
    try:
        value = date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{label}는 YYYY-MM-DD 형식이어야 합니다.") from None
    return _in_range(value, label)


def _in_range(day: date | None, label: str) -> date | None:
    if day is not None and not (MIN_DAY <= day <= MAX_DAY):
        raise FilterError(f"{label}는 {MIN_DAY.year}년부터 {MAX_DAY.year}년 사이여야 합니다.")
    return day


def audit_filter(date_from, date_to, username, department, event, outcome) -> AuditFilter:  # noqa: ANN001
    """The filter of the page, the API and the CSV; periods are whole local days."""
    start, end = _day(date_from, "시작 날짜"), _day(date_to, "끝 날짜")
    if start and end and start > end:
        raise FilterError("시작 날짜가 끝 날짜보다 늦습니다.")
    outcome = (outcome or "").strip() or None
    if outcome and outcome not in OUTCOMES:
        raise FilterError("결과는 ok, denied, failed 중 하나여야 합니다.")
    tz = now().tzinfo
    return AuditFilter(
        since=datetime.combine(start, time(), tz) if start else None,
        until=datetime.combine(end + timedelta(days=1), time(), tz) if end else None,
        username=nfc(username or "").strip() or None,
        department=nfc(department or "").strip() or None,
        event=(event or "").strip() or None,
        outcome=outcome,
    )


def _bad(e: FilterError):  # noqa: ANN202
    return api_error(400, "bad_filter", str(e))


_PERIOD = {
    "date_from": Query(None, description="시작 날짜 (YYYY-MM-DD, 포함)"),
    "date_to": Query(None, description="끝 날짜 (YYYY-MM-DD, 포함)"),
}


@router.get(
    "/api/v1/admin/audit", response_model=AuditPage, responses=ADMIN_RESPONSES, summary="감사 로그"
)
def audit_api(
    request: Request,
    date_from: date | None = _PERIOD["date_from"],
    date_to: date | None = _PERIOD["date_to"],
    username: str | None = Query(None, max_length=200, description="사용자 아이디"),
    department: str | None = Query(None, max_length=200, description="부서"),
    event: str | None = Query(None, max_length=40, description="이벤트 (접두어는 'admin.')"),
    outcome: str | None = Query(None, description="ok, denied, failed"),
    page: int = Query(1, ge=1, le=100_000),
    per_page: int = Query(50, ge=1, le=MAX_PER_PAGE),
    _: Principal = Depends(require_roles(Role.admin)),
) -> AuditPage:
    try:
        flt = audit_filter(date_from, date_to, username, department, event, outcome)
    except FilterError as e:
        raise _bad(e) from None
    log = AuditLog(request.app.state.services.store)
    events = log.query(flt, limit=per_page, offset=(page - 1) * per_page)
    return AuditPage(
        total=log.count(flt),
        page=page,
        per_page=per_page,
        events=[AuditEventOut(**e.model_dump()) for e in events],
    )


@router.get(
    "/api/v1/admin/audit.csv",
    responses={**ADMIN_RESPONSES, 200: {"content": {"text/csv": {}}, "description": "CSV"}},
    response_class=StreamingResponse,
    summary="감사 로그 CSV 내보내기 (UTF-8 BOM)",
)
def audit_csv(
    request: Request,
    date_from: date | None = _PERIOD["date_from"],
    date_to: date | None = _PERIOD["date_to"],
    username: str | None = Query(None, max_length=200),
    department: str | None = Query(None, max_length=200),
    event: str | None = Query(None, max_length=40),
    outcome: str | None = Query(None),
    actor: Principal = Depends(require_roles(Role.admin)),
) -> StreamingResponse:
    try:
        flt = audit_filter(date_from, date_to, username, department, event, outcome)
    except FilterError as e:
        raise _bad(e) from None
    surface = "web" if auth_context(request).method == "session" else "api"
    audit(
        request,
        actor,
        "admin.audit_export",
        surface=surface,
        target="audit.csv",
        filters=flt.model_dump(mode="json", exclude_none=True),
    )
    name = f"audit-{now().strftime('%Y%m%d-%H%M')}.csv"
    return StreamingResponse(
        csv_lines(request.app.state.services.store, flt),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/admin/audit", include_in_schema=False)
def audit_page(
    request: Request,
    date_from: str = "",
    date_to: str = "",
    username: str = "",
    department: str = "",
    event: str = "",
    outcome: str = "",
    page: int = Query(1, ge=1, le=100_000),
    principal: Principal = Depends(page_roles(Role.admin)),
) -> Response:
    form = {
        "date_from": date_from,
        "date_to": date_to,
        "username": username,
        "department": department,
        "event": event,
        "outcome": outcome,
    }
    store = request.app.state.services.store
    ctx: dict = {
        "form": form,
        "events": [],
        "total": 0,
        "page": page,
        "per_page": 50,
        "EVENT_LABELS": EVENT_LABELS,
        "OUTCOME_LABELS": OUTCOME_LABELS,
        "alerts": [],
    }
    with store.session() as s:
        ctx["event_names"] = sorted(s.scalars(select(AuditEventRow.event).distinct()))
    ctx["departments"] = [d.name for d in list_departments(store)]
    try:
        flt = audit_filter(**form)
    except FilterError as e:
        ctx["alerts"] = [{"level": "error", "text": str(e)}]
        return render(request, "admin/audit.html", principal, ctx, status_code=400)
    log = AuditLog(store)
    ctx["events"] = log.query(flt, limit=50, offset=(page - 1) * 50)
    ctx["total"] = log.count(flt)
    query = {k: v for k, v in form.items() if v}
    ctx["query"] = urlencode(query)
    ctx["pages"] = max(1, -(-ctx["total"] // 50))
    return render(request, "admin/audit.html", principal, ctx)
