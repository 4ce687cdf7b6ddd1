"""`ct models prepare` / `ct models status`: the embedded models under ``models_dir``."""

from __future__ import annotations

from enum import Enum

import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from control_tower.cli.output import console, emit_json, fail, progress_bar
from control_tower.models.catalog import PROFILES, default_profile, resolve_profiles
from control_tower.models.errors import ModelError
from control_tower.models.prepare import ModelPreparer
from control_tower.settings import get_settings

app = typer.Typer(help="내장 모델(임베딩, 소형 LLM) 준비와 상태 확인", no_args_is_help=True)

Profile = Enum("Profile", {name.replace("-", "_"): name for name in PROFILES}, type=str)


class _RichReporter:
    """Adapts the preparer's progress callbacks to one Rich progress display."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def begin(self, description: str, total: int | None) -> int:
        return self.progress.add_task(description, total=total)

    def advance(self, task: int, amount: int) -> None:
        self.progress.advance(task, amount)

    def end(self, task: int) -> None:
        t = next((t for t in self.progress.tasks if t.id == task), None)
        if t is not None and t.total is None:  # an open-ended step: show it as done
            self.progress.update(task, total=1, completed=1)


def _fail_model_error(exc: ModelError, as_json: bool) -> None:
    if as_json:
        emit_json({"ok": False, "error": exc.to_dict()})
        raise typer.Exit(1)
    # Codes and paths contain "[...]", which Rich would read as markup.
    fail(escape(f"[{exc.code}] {exc.message}"), hint=escape(exc.hint) if exc.hint else None)


def _size(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


@app.command("prepare")
def prepare(
    profile: list[Profile] | None = typer.Option(
        None,
        "--profile",
        "-p",
        help="준비할 묶음 (여러 번 지정 가능): tiny=임베딩+0.5B LLM, small=임베딩+1.5B LLM, "
        "all=전부, embedding-only=임베딩만. 기본값: CT_LLM_PROFILE 에 따름(tiny).",
    ),
    as_json: bool = typer.Option(False, "--json", help="결과를 JSON 으로 출력"),
) -> None:
    """PyPI 의 고정된 패키지에서 모델을 받아 검증·변환합니다 (다시 실행하면 바로 끝납니다)."""
    settings = get_settings()
    names = [p.value for p in profile] if profile else [default_profile(settings.llm_profile)]
    keys = resolve_profiles(names)
    try:
        with progress_bar(transfer=True) as progress:
            preparer = ModelPreparer(settings, reporter=_RichReporter(progress))
            outcomes = preparer.prepare(keys)
    except ModelError as exc:
        _fail_model_error(exc, as_json)
        return
    except OSError as exc:  # permissions, read-only disk, vanished folder …
        error = ModelError(
            "file_error",
            f"모델 파일을 쓰거나 읽지 못했습니다: {exc}",
            hint="CT_MODELS_DIR 경로의 권한과 상태를 확인한 뒤 다시 실행하세요. "
            "이미 검증된 파일은 재사용됩니다.",
        )
        _fail_model_error(error, as_json)
        return
    if as_json:
        emit_json(
            {
                "ok": True,
                "profiles": names,
                "models_dir": str(settings.models_dir),
                "artefacts": [o.model_dump(mode="json") for o in outcomes],
            }
        )
        return
    for o in outcomes:
        verb = "이미 준비됨" if o.action == "already_present" else f"준비 완료 ({o.seconds:.0f}초)"
        console.print(f"[green]✓[/] {o.key}: {verb} — {o.folder} ({_size(o.size_bytes)})")


@app.command("status")
def status(
    as_json: bool = typer.Option(False, "--json", help="결과를 JSON 으로 출력"),
    verify: bool = typer.Option(
        False, "--verify", help="모든 파일의 sha256 을 다시 계산해 검증 (느림)"
    ),
) -> None:
    """준비된 모델과 그 검증 상태를 보여 줍니다."""
    settings = get_settings()
    statuses = ModelPreparer(settings).status(deep=verify)
    if as_json:
        emit_json(
            {
                "models_dir": str(settings.models_dir),
                "artefacts": [s.model_dump(mode="json") for s in statuses],
            }
        )
        return
    labels = {"ready": "[green]준비됨[/]", "missing": "[dim]없음[/]",
              "incomplete": "[yellow]미완성[/]", "corrupt": "[red]손상[/]",
              "outdated": "[yellow]이전 버전[/]"}  # fmt: skip
    table = Table(title=f"내장 모델 ({settings.models_dir})")
    for column in ("이름", "상태", "검증", "크기", "준비 시각", "폴더"):
        table.add_column(column)
    for s in statuses:
        checked = "sha256 확인" if s.verified else ("크기 확인" if s.state == "ready" else "-")
        table.add_row(
            s.key,
            labels[s.state],
            checked,
            _size(s.size_bytes) if s.size_bytes else "-",
            s.prepared_at or "-",
            s.folder,
        )
    console.print(table)
    for s in statuses:
        for problem in s.problems:
            console.print(f"[red]{s.key}[/]: {problem}")
    if any(s.state in ("incomplete", "corrupt", "outdated") for s in statuses):
        console.print("[yellow]해결 방법:[/] `ct models prepare` 를 다시 실행하세요.")
