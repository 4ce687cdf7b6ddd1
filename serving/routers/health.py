"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: every part works)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from control_tower.health import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    services = request.app.state.services
    report = readiness(services.settings, services=services, startup=request.app.state.startup)
    return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.ready else 503)
