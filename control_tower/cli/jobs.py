"""`ct jobs list|worker`: look at background jobs, or run a standalone job worker.

A worker on another machine needs the same database (``CT_DATABASE_URL``) and the Redis queue
(``CT_JOBS_REDIS_URL``); the web app then runs with ``CT_JOBS_EMBEDDED=false`` or keeps its own
embedded workers as well.
"""

from __future__ import annotations

import typer
from rich.table import Table

from control_tower.cli.output import console, emit_json
from control_tower.settings import get_settings

app = typer.Typer(help="백그라운드 작업(문서 올리기, 다시 수집 등)을 봅니다.", no_args_is_help=True)

STATE_KO = {
    "queued": "대기",
    "running": "실행 중",
    "succeeded": "완료",
    "failed": "실패",
    "interrupted": "중단됨",
    "cancelled": "취소됨",
}


def _services():
    from serving.services import Services

    return Services(get_settings())


@app.command("list")
def list_jobs(
    owner: str | None = typer.Option(None, help="이 사용자의 작업만"),
    limit: int = typer.Option(30, help="최근 작업 몇 개"),
    json_out: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """최근 작업을 보여 줍니다 (새것부터)."""
    from control_tower.jobs.repo import JobRepo

    rows = JobRepo(_services().store).list(owner=owner, limit=limit)
    if json_out:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    if not rows:
        console.print("작업이 없습니다.")
        return
    table = Table("작업 ID", "종류", "상태", "진행", "요청자", "제목", "메시지")
    for r in rows:
        progress = f"{r.progress_done}/{r.progress_total}" if r.progress_total else ""
        table.add_row(
            r.job_id,
            r.kind,
            STATE_KO.get(r.state, r.state),
            progress,
            r.owner or "",
            r.title,
            r.error_message or r.message or "",
        )
    console.print(table)


@app.command("worker")
def worker() -> None:
    """이 컴퓨터에서 작업 처리기를 실행합니다 (Ctrl-C로 종료)."""
    from control_tower.jobs.queue import backend_of

    services = _services()
    settings = services.settings
    console.print(
        f"작업 처리기 시작: 저장소 {backend_of(settings)}, 작업자 {settings.jobs_workers}개"
    )
    services.jobs.run_worker()
