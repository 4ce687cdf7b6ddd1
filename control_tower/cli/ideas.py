"""`ct ideas`: grounded new AI project proposals for one department, and decisions on them.

ct ideas --department 교통정책과 [--top 5] [--user NAME] [--json]
ct ideas accept ID --user NAME      (채택: into the roadmap's input)
ct ideas reject ID --user NAME      (보류)
"""

from __future__ import annotations

import typer
from rich.markup import escape

from control_tower.cli.output import console, emit_json, fail
from control_tower.cli.principal import resolve_user
from control_tower.ideation.views import proposal_json
from control_tower.settings import get_settings

app = typer.Typer(
    help="부서별 신규 AI 사업 제안 (근거 인용, 중복 검토 포함)", invoke_without_command=True
)
USER_HELP = "이 사용자의 권한으로 실행합니다. 지정하지 않으면 익명(공개 문서만)입니다."


def _print(p) -> None:  # noqa: ANN001
    scores = " · ".join(f"{k} {v:.1f}" for k, v in p.scores.items())
    console.print(
        f"\n[bold]{escape(p.title)}[/] [dim]({p.id}, {p.kind}, {p.phase}, {p.status})[/]\n"
        f"  부서: {escape(', '.join(p.departments))} · 점수: {scores} · 검토: {p.review_verdict}"
    )
    console.print(f"  문제: {escape(p.problem)}")
    console.print(f"  방법: {escape(p.approach)}")
    for d in p.data:
        mark = "보유" if d.available else "확보 필요"
        console.print(f"  데이터: {escape(d.name)} ({mark})")
    for r in p.related_cards:
        console.print(f"  관련 사업: [{r.relation}] {escape(r.name)} — {escape(r.reason)}")
    for k in p.kpis:
        console.print(f"  성과지표: {escape(k)}")
    for crit, reasons in p.reasons.items():
        for reason in reasons:
            console.print(f"  [dim]{crit}: {escape(reason)}[/]")
    for c in p.citations[:5]:
        where = f"{c.title}" + (f" > {c.section}" if c.section else "")
        console.print(f"  [dim]근거: 「{escape(where)}」 {escape(c.text[:80])}[/]")


@app.callback()
def ideas(
    ctx: typer.Context,
    department: str = typer.Option(None, "--department", "-d", help="제안을 만들 부서"),
    top: int = typer.Option(5, "--top", min=1, max=20, help="제안 수"),
    user: str = typer.Option(None, "--user", "-u", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """부서의 문서와 사업 카드에서 신규 AI 사업을 제안합니다 (적합성·실현가능성·확산가능성)."""
    if ctx.invoked_subcommand is not None:
        return
    from control_tower.audit import AuditLog
    from control_tower.ideation.service import IdeaError, ideas_for
    from control_tower.store import open_store

    if not department:
        fail("부서를 지정하세요: ct ideas --department 부서명")
    settings = get_settings()
    principal = resolve_user(settings, user)
    store = open_store(settings)
    try:
        proposals = ideas_for(settings, store, principal, department, top)
    except IdeaError as exc:
        fail(exc.message_ko)
    AuditLog(store).record(
        principal, "ideas", surface="cli", target=department, proposals=len(proposals)
    )
    if as_json:
        emit_json({"department": department, "proposals": [proposal_json(p) for p in proposals]})
        return
    console.print(f"[bold]{escape(department)}[/] 신규 AI 사업 제안 {len(proposals)}건")
    for p in proposals:
        _print(p)


def _decide(proposal_id: str, user: str | None, status: str, as_json: bool) -> None:
    from control_tower.audit import AuditLog
    from control_tower.ideation.service import IdeaError, decide
    from control_tower.store import open_store

    settings = get_settings()
    principal = resolve_user(settings, user)
    store = open_store(settings)
    try:
        p = decide(store, principal, proposal_id, status)
    except IdeaError as exc:
        fail(exc.message_ko)
    AuditLog(store).record(
        principal, "idea_decision", surface="cli", target=proposal_id, status=status
    )
    if as_json:
        emit_json(proposal_json(p))
        return
    console.print(f"{escape(p.title)} → [bold]{p.status}[/] ({escape(p.decided_by or '')})")


@app.command("accept")
def accept(
    proposal_id: str = typer.Argument(..., help="제안 ID (ct ideas 결과의 id)"),
    user: str = typer.Option(None, "--user", "-u", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """제안을 채택해 로드맵의 입력으로 넘깁니다 (AI 전담부서·관리자·해당 부서장)."""
    _decide(proposal_id, user, "채택", as_json)


@app.command("reject")
def reject(
    proposal_id: str = typer.Argument(..., help="제안 ID"),
    user: str = typer.Option(None, "--user", "-u", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """제안을 보류합니다 (AI 전담부서·관리자·해당 부서장)."""
    _decide(proposal_id, user, "보류", as_json)
