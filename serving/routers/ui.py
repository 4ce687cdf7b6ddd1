"""The Korean web UI: one page (search + documents) and the user list it needs."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from control_tower import __version__
from control_tower.domain import Principal
from serving.auth import current_principal

_TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    return _TEMPLATES.TemplateResponse(request, "index.html", {"version": __version__})


@router.get("/api/v1/users", tags=["users"])
def list_users(request: Request) -> dict:
    """Users for the demo user picker: names, departments and roles only."""
    users = request.app.state.services.store.list_users()
    return {
        "users": [
            {"username": u.username, "department": u.department, "roles": sorted(u.roles)}
            for u in users
        ]
    }


@router.get("/api/v1/me", tags=["users"])
def me(principal: Principal = Depends(current_principal)) -> dict:
    return principal.model_dump(mode="json")
