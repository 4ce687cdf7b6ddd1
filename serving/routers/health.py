"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: every part works).

Both answer without a login (load balancers and `make run` poll them). So `/readyz` tells an
anonymous caller only which part is not ready and the Korean hint; the details — database URL
(a data-folder path, or a PostgreSQL URL with its password), exception texts, model paths — are
for admins only.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from control_tower.domain import Principal
from control_tower.health import readiness
from serving.auth import optional_principal

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request, principal: Principal = Depends(optional_principal)) -> JSONResponse:
    services = request.app.state.services
    report = readiness(services.settings, services=services, startup=request.app.state.startup)
    body = report.model_dump(mode="json")
    if not principal.is_admin:
        for check in body["checks"]:
            check["detail"] = "정상" if check["ok"] else "준비되지 않음"
        if report.startup.phase == "failed":
            body["startup"]["message"] = "시작 준비 중 오류가 발생했습니다. 서버 로그를 확인하세요."
    return JSONResponse(body, status_code=200 if report.ready else 503)
