"""`ct review`: 사전협의-style duplication review of a new 사업계획서 against the registry."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from control_tower.cli.output import console, emit_json, fail
from control_tower.cli.principal import resolve_user
from control_tower.settings import get_settings

VERDICT_STYLE = {"추진": "green", "조건부 추진": "yellow", "재검토": "red"}


def review(
    file: Path = typer.Argument(..., help="검토할 사업계획서 (HWP, HWPX, PDF, DOCX …)"),
    user: str = typer.Option(
        None, "--user", "-u", help="이 사용자의 권한으로 비교합니다 (없으면 익명: 공개 문서만)"
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
    out: Path = typer.Option(None, "--out", help="한국어 Markdown 보고서를 이 파일에 씁니다"),
) -> None:
    """새 사업계획서를 기존 사업 카드와 비교해 추진 / 조건부 추진 / 재검토를 판정합니다."""
    from control_tower.audit import AuditLog
    from control_tower.registry.review import review_file
    from control_tower.registry.review_report import review_markdown
    from control_tower.registry.service import RegistryError
    from control_tower.store import open_store

    if not file.is_file():
        fail(f"파일이 없습니다: {file}")
    settings = get_settings()
    principal = resolve_user(settings, user)
    store = open_store(settings)
    try:
        result = review_file(settings, store, principal, file)
    except RegistryError as exc:
        fail(exc.message_ko)
    AuditLog(store).record(
        principal, "review", surface="cli", target=file.name, verdict=result.verdict
    )
    if out is not None:
        out.write_text(review_markdown(result), encoding="utf-8")
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    style = VERDICT_STYLE.get(result.verdict, "bold")
    console.print(f"[bold]{escape(result.card.get('name', ''))}[/] → [{style}]{result.verdict}[/]")
    for reason in result.reasons:
        console.print(f"  - {escape(reason)}")
    for m in result.matches:
        console.print(f"  [dim]{m.type} {m.score:.2f}[/] {escape(m.name)} — {escape(m.reason)}")
    if out is not None:
        console.print(f"보고서: {out}")
