"""Shared terminal output: JSON for machines, Rich for people, progress bars only on a TTY."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

console = Console(stderr=True)


def emit_json(obj: Any) -> None:
    """One JSON document on stdout (UTF-8, Hangul unescaped)."""
    if isinstance(obj, BaseModel):
        obj = obj.model_dump(mode="json")
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, *, code: int = 1, hint: str | None = None) -> NoReturn:
    """Stop with a clear (Korean) message on stderr and a non-zero exit code."""
    console.print(f"[bold red]오류:[/] {message}")
    if hint:
        console.print(f"[yellow]해결 방법:[/] {hint}")
    raise typer.Exit(code)


def show_progress() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(*, transfer: bool = False) -> Iterator[Progress]:
    """A Rich progress bar on stderr; silent (but still usable) when not on a terminal."""
    columns = [TextColumn("{task.description}"), BarColumn()]
    if transfer:
        columns += [DownloadColumn(), TransferSpeedColumn()]
    else:
        columns += [MofNCompleteColumn()]
    columns += [TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, disable=not show_progress(), transient=False) as p:
        yield p
