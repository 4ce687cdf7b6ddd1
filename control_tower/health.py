"""Readiness checks shared by `/readyz` and `ct doctor`: each part, with a fix hint in Korean."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from control_tower.settings import Settings


class Check(BaseModel):
    name: str
    ok: bool
    detail: str = ""
    hint: str | None = None
    required: bool = True


class StartupState(BaseModel):
    """What the server is still doing in the background after it started answering."""

    # "starting", "ingesting-demo", "building-registry", "warming-search", "starting-llm",
    # "ready", "failed"
    phase: str = "ready"
    message: str = ""
    llm_required: bool = True


class Readiness(BaseModel):
    ready: bool
    checks: list[Check]
    startup: StartupState = Field(default_factory=StartupState)


def _masked(url: str) -> str:
    """The database URL without its password (shown on /readyz and by `ct doctor`)."""
    from sqlalchemy import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as a placeholder
        return "(데이터베이스 URL)"


def check_database(services: Any) -> Check:
    try:
        services.store.list_users()
        return Check(name="database", ok=True, detail=_masked(services.settings.database_url))
    except Exception as exc:  # any failure means "not ready"; the detail tells why
        return Check(
            name="database",
            ok=False,
            detail=str(exc),
            hint="CT_DATABASE_URL 설정과 데이터 폴더 쓰기 권한을 확인하세요.",
        )


def check_index(services: Any) -> Check:
    try:
        n = services.index.count()
        return Check(name="index", ok=True, detail=f"{n}개 청크")
    except Exception as exc:
        return Check(
            name="index",
            ok=False,
            detail=str(exc),
            hint="`ct doctor`로 임베딩 모델과 Chroma 설정을 확인하세요.",
        )


def check_llm(settings: Settings, required: bool) -> Check:
    from control_tower.llm import check_endpoint

    status = check_endpoint(settings)
    return Check(
        name="llm",
        ok=status.ok,
        detail=status.detail,
        hint=None if status.ok else status.hint,
        required=required,
    )


def readiness(settings: Settings, *, services: Any, startup: StartupState) -> Readiness:
    checks = [check_database(services), check_index(services)]
    checks.append(check_llm(settings, required=startup.llm_required))
    ready = startup.phase == "ready" and all(c.ok for c in checks if c.required)
    return Readiness(ready=ready, checks=checks, startup=startup)
