"""AI 활용 현황: ``/usage`` and ``GET /api/v1/usage`` for the AI division (and admins).

Only counts from the audit log and the query texts staff typed — never document text or
titles (``control_tower.usage`` reads nothing but ``audit_events``). A department head or
staff member without the ai_division role gets 403 here.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from control_tower.accounts import list_departments
from control_tower.domain import Principal, Role, nfc
from control_tower.usage import MEASURE_LABELS, UsageReport, usage_report
from serving.auth import page_roles, require_roles
from serving.errors import ERROR_RESPONSES, api_error
from serving.routers.admin_audit import MAX_DAY, MIN_DAY
from serving.templating import render

router = APIRouter(tags=["usage"])
WEEK_CHOICES = (4, 8, 12, 26, 52)


@router.get(
    "/api/v1/usage",
    response_model=UsageReport,
    responses=ERROR_RESPONSES,
    summary="AI 활용 현황 (부서별·주별 사용량, 결과 없는 검색)",
)
def usage_api(
    request: Request,
    weeks: int = Query(12, ge=1, le=104, description="최근 몇 주 (ISO 주)"),
    until: date | None = Query(None, description="이 날짜가 든 주까지 (기본: 오늘)"),
    department: str | None = Query(None, max_length=200, description="한 부서만"),
    _: Principal = Depends(require_roles(Role.ai_division)),
) -> UsageReport:
    if until is not None and not (MIN_DAY <= until <= MAX_DAY):
        raise api_error(400, "bad_date", "날짜는 1900년부터 9000년 사이여야 합니다.")
    store = request.app.state.services.store
    return usage_report(store, weeks=weeks, until=until, department=department or None)


def _bars(report: UsageReport, measure: str) -> list[dict]:
    """Per-week bar heights (percent of the busiest week) for the inline SVG chart."""
    values = [getattr(w, measure) for w in report.weeks]
    top = max(values) if values and max(values) > 0 else 1
    return [
        {"week": w.week, "start": w.week_start, "value": v, "pct": round(100 * v / top, 1)}
        for w, v in zip(report.weeks, values, strict=True)
    ]


@router.get("/usage", include_in_schema=False)
def usage_page(
    request: Request,
    weeks: int = Query(12, ge=1, le=104),
    department: str = "",
    measure: str = "searches",
    principal: Principal = Depends(page_roles(Role.ai_division)),
) -> Response:
    store = request.app.state.services.store
    if measure not in MEASURE_LABELS:
        measure = "searches"
    department = nfc(department).strip()
    report = usage_report(store, weeks=weeks, department=department or None)
    matrix: dict[str, dict[str, int]] = {}
    for c in report.cells:
        matrix.setdefault(c.department, {})[c.week] = getattr(c, measure)
    top_dept = max((getattr(d, measure) for d in report.departments), default=0) or 1
    ctx = {
        "report": report,
        "weeks": weeks,
        "week_choices": sorted({*WEEK_CHOICES, weeks}),
        "department": department,
        "departments": [d.name for d in list_departments(store)],
        "measure": measure,
        "measure_labels": MEASURE_LABELS,
        "bars": _bars(report, measure),
        "matrix": matrix,
        "top_dept": top_dept,
    }
    return render(request, "admin/usage.html", principal, ctx)
