"""`ct db upgrade` / `ct db status`: the database schema (Alembic migrations).

The store also migrates itself whenever it opens; ``upgrade`` is for operators who want to
run (and see) the step on its own, e.g. before starting several workers.
"""

from __future__ import annotations

import typer

from control_tower.cli.output import console, emit_json, fail
from control_tower.settings import get_settings

app = typer.Typer(help="데이터베이스 스키마 (마이그레이션)", no_args_is_help=True)


def _engine():
    from control_tower.store.store import make_engine

    return make_engine(get_settings().database_url)


def _safe_url(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("upgrade")
def upgrade(as_json: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력")) -> None:
    """데이터베이스를 최신 스키마로 올립니다 (기존 문서는 그대로 유지)."""
    from control_tower.store import open_store
    from control_tower.store.migrate import current_revision

    settings = get_settings()
    try:
        before = current_revision(_engine())
        store = open_store(settings)  # migrates, and imports a legacy JSONL audit log
        after = current_revision(store.engine)
    except Exception as exc:  # noqa: BLE001 - shown to the operator with the cause
        fail(
            f"데이터베이스를 업그레이드하지 못했습니다: {exc}",
            hint="CT_DATABASE_URL 설정과 데이터베이스 서버 상태를 확인하세요.",
        )
    result = {"database": _safe_url(settings.database_url), "from": before, "to": after}
    if as_json:
        emit_json(result)
    elif before == after:
        console.print(f"이미 최신 스키마입니다 (리비전 {after}).")
    else:
        console.print(f"[green]스키마 업그레이드 완료[/]: {before or '없음'} → {after}")


@app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력")) -> None:
    """현재 스키마 리비전과 최신 리비전을 보여 줍니다."""
    from control_tower.store.migrate import current_revision, head_revision

    settings = get_settings()
    try:
        current = current_revision(_engine())
    except Exception as exc:  # noqa: BLE001
        fail(f"데이터베이스에 연결하지 못했습니다: {exc}", hint="CT_DATABASE_URL을 확인하세요.")
    head = head_revision()
    result = {
        "database": _safe_url(settings.database_url),
        "current": current,
        "head": head,
        "up_to_date": current == head,
    }
    if as_json:
        emit_json(result)
    else:
        state = "최신" if current == head else "업그레이드 필요 (`ct db upgrade`)"
        console.print(f"현재 리비전 {current or '없음'}, 최신 리비전 {head}: {state}")
