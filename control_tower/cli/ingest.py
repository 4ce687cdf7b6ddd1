"""`ct ingest PATH... [--department NAME] [--access LEVEL] [--sync] [--json]`.

With ``--json`` exactly one JSON object goes to stdout (the ``IngestReport``); people get a
Rich table with Korean reasons. Exit 0 when the run completed, even if some files were
skipped or failed (their reasons are in the report); non-zero only when the run could not
start or stopped (bad arguments, model/index configuration errors).
"""

from __future__ import annotations

import typer
from rich.table import Table

from control_tower.cli.output import console, emit_json, fail, progress_bar
from control_tower.domain import AccessLevel, DocumentStatus, IngestReport

STATUS_KO = {
    DocumentStatus.indexed: "[green]색인됨[/]",
    DocumentStatus.updated: "[cyan]갱신됨[/]",
    DocumentStatus.unchanged: "[dim]변경 없음[/]",
    DocumentStatus.skipped: "[yellow]건너뜀[/]",
    DocumentStatus.failed: "[red]실패[/]",
}
ACCESS_CHOICES = ", ".join(a.value for a in AccessLevel)


def ingest(
    paths: list[str] = typer.Argument(None, help="수집할 파일 또는 폴더 (여러 개 가능)"),
    department: str = typer.Option(
        None, "--department", "-d", help="소유 부서 (폴더의 ct-manifest.json 이 우선)"
    ),
    access: str = typer.Option(
        None, "--access", "-a", help=f"공개 범위: {ACCESS_CHOICES} (기본: internal)"
    ),
    allow_user: list[str] = typer.Option(
        None, "--allow-user", help="restricted 문서를 열람할 수 있는 사용자 (반복 가능)"
    ),
    allow_department: list[str] = typer.Option(
        None, "--allow-department", help="restricted 문서를 열람할 수 있는 부서 (반복 가능)"
    ),
    sync: bool = typer.Option(
        False, "--sync", help="지정한 폴더에서 사라진 파일의 문서를 저장소와 색인에서 삭제"
    ),
    json_output: bool = typer.Option(False, "--json", help="결과를 JSON 한 개로 출력"),
) -> None:
    """문서를 수집해 검색 색인(Chroma + BM25)에 넣습니다. 바뀌지 않은 파일은 건너뜁니다."""
    from control_tower.index.errors import IndexConfigError
    from control_tower.models.errors import ModelError
    from control_tower.settings import get_settings
    from ingest.discover import IngestArgumentError, discover
    from ingest.manifest import ManifestError
    from ingest.pipeline import ingest_paths

    if not paths:
        fail(
            "수집할 파일이나 폴더를 지정하세요.",
            code=2,
            hint="예: ct ingest ./문서폴더 --department 교통정책과",
        )
    if access is not None and access not in {a.value for a in AccessLevel}:
        fail(
            f"알 수 없는 공개 범위입니다: '{access}'",
            code=2,
            hint=f"다음 중 하나: {ACCESS_CHOICES}",
        )
    if (allow_user or allow_department) and access != AccessLevel.restricted.value:
        fail(
            "--allow-user / --allow-department 는 --access restricted 와 함께 쓰세요.",
            code=2,
        )
    try:
        found, _ = discover(list(paths))  # validate before loading models
    except IngestArgumentError as exc:
        fail(exc.message_ko, code=2)

    settings = get_settings()
    try:
        with progress_bar() as bar:
            task = bar.add_task("문서 수집", total=len(found))

            def on_progress(done: int, total: int, shown: str) -> None:
                bar.update(
                    task, completed=done, total=total, description=f"문서 수집 {shown[-40:]}"
                )

            def on_wait() -> None:
                console.print("[yellow]다른 수집 작업이 진행 중입니다. 끝날 때까지 기다립니다…[/]")

            report = ingest_paths(
                list(paths),
                settings,
                department=department,
                access=access,
                allowed_users=allow_user or (),
                allowed_departments=allow_department or (),
                sync=sync,
                progress=on_progress,
                on_lock_wait=on_wait,
            )
    except IngestArgumentError as exc:
        fail(exc.message_ko, code=2)
    except ManifestError as exc:
        fail(exc.message_ko, code=2, hint="ct-manifest.json 의 JSON 형식과 필드를 확인하세요.")
    except IndexConfigError as exc:
        fail(exc.message_ko, hint=exc.hint)
    except ModelError as exc:
        fail(exc.message, hint=exc.hint)

    if json_output:
        emit_json(report)
    else:
        _print_report(report)


def _print_report(report: IngestReport) -> None:
    table = Table(title="문서 수집 결과", show_lines=False)
    table.add_column("파일", overflow="fold")
    table.add_column("상태")
    table.add_column("조각", justify="right")
    table.add_column("사유")
    for f in report.files:
        table.add_row(f.path, STATUS_KO[f.status], str(f.chunks), f.message or "")
    out = typer.get_text_stream("stdout")
    from rich.console import Console

    Console(file=out).print(table)
    c = report.counts
    summary = (
        f"전체 {c.get('total', 0)}건 — 색인 {c.get('indexed', 0)}, 갱신 {c.get('updated', 0)}, "
        f"변경 없음 {c.get('unchanged', 0)}, 건너뜀 {c.get('skipped', 0)}, "
        f"실패 {c.get('failed', 0)}"
    )
    if report.removed:
        summary += f", 삭제 {len(report.removed)}"
    Console(file=out).print(summary)
