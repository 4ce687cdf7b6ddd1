"""`ct roadmap …`: draft the mid-to-long-term AI roadmap, edit it by section, compare
versions, export Markdown/DOCX/HWPX. A thin layer over ``control_tower.roadmap.service``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from control_tower.cli.output import console, emit_json, fail
from control_tower.cli.principal import resolve_user
from control_tower.settings import get_settings

app = typer.Typer(help="중장기 AI 로드맵 (초안 작성·절 수정·버전·내보내기)", no_args_is_help=True)

USER_HELP = "이 사용자의 권한으로 작업합니다. 지정하지 않으면 익명(공개 문서만)입니다."


def _context(user: str | None):  # noqa: ANN202
    from control_tower.store import open_store

    settings = get_settings()
    return settings, open_store(settings), resolve_user(settings, user)


def _guard(fn):  # noqa: ANN001, ANN202
    """Run ``fn`` and turn the service's errors into a Korean message and exit code."""
    from control_tower.roadmap.export import ExportError
    from control_tower.roadmap.ordering import RoadmapError

    try:
        return fn()
    except RoadmapError as exc:
        fail(exc.message_ko, code=2 if exc.status == 422 else 1)
    except ExportError as exc:
        fail(exc.message_ko)


def _audit(store, principal, event: str, target: str, **details) -> None:  # noqa: ANN001
    from control_tower.audit import AuditLog

    AuditLog(store).record(principal, event, surface="cli", target=target, **details)


def _print_version(v, out: Path | None) -> None:  # noqa: ANN001
    s = v.structure
    console.print(
        f"[bold]{escape(s.title)}[/] — 초안 {v.draft_id} {v.version}판 ({escape(v.note)})"
    )
    for p in s.phases:
        console.print(f"  {p.name} {p.start_year}~{p.end_year}: 과제 {len(p.initiatives)}개")
    years = ", ".join(f"{y}년 {x:,.1f}" for y, x in s.budget.by_year.items())
    console.print(f"  예산 총 {s.budget.total_eok:,.2f}억원 ({years})")
    console.print(f"  교육 계획 {len(s.training)}건 · 출처 문서 {len(s.sources)}건")
    for c in v.checks:
        mark = "[green]통과[/]" if c.ok else "[red]실패[/]"
        console.print(f"  {mark} {escape(c.name)}: {escape(c.detail)}")
        for item in c.items[:5] if not c.ok else []:
            console.print(f"      - {escape(item)}")
    templates = [sec.title for sec in v.sections.values() if sec.method == "template"]
    if templates:
        console.print(f"  [yellow]기본 문안 사용:[/] {escape(', '.join(templates))}")
    if out:
        console.print(f"  내보냄: {out}")


@app.command("draft")
def draft(
    from_year: int = typer.Option(..., "--from", help="시작 연도"),
    to_year: int = typer.Option(..., "--to", help="종료 연도"),
    vision: str = typer.Option(None, "--vision", help="비전 문장"),
    ceiling_eok: float = typer.Option(None, "--ceiling-eok", help="연간 예산 한도(억원)"),
    pillar: list[str] = typer.Option(None, "--pillar", help="추진전략(여러 번 지정 가능)"),
    title: str = typer.Option(None, "--title", help="문서 제목"),
    staff_count: int = typer.Option(None, "--staff-count", help="전 직원 수(교육 인원)"),
    no_llm: bool = typer.Option(False, "--no-llm", help="LLM 없이 기본 문안으로 작성"),
    user: str = typer.Option(None, "--user", help=USER_HELP),
    out: Path = typer.Option(None, "--out", help="내보낼 파일 (.md, .docx, .hwpx)"),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """등록부·연계·채택된 제안으로 로드맵 구조를 계산하고 절별 문안을 작성합니다."""
    from pydantic import ValidationError

    from control_tower.roadmap.export import exporter_for
    from control_tower.roadmap.service import draft_roadmap, export_draft
    from control_tower.roadmap.types import Guidance
    from control_tower.roadmap.views import version_json

    settings, store, principal = _context(user)
    try:
        guidance = Guidance(
            from_year=from_year, to_year=to_year, vision=vision, ceiling_eok=ceiling_eok,
            pillars=pillar or [], title=title, staff_count=staff_count,
        )  # fmt: skip
    except ValidationError as exc:
        fail(f"로드맵 조건이 올바르지 않습니다: {exc.errors()[0]['msg']}")
    if out is not None:
        _guard(lambda: exporter_for(out))  # a bad suffix fails before any work
    local = user is None

    def progress(done: int, total: int, message: str) -> None:
        if not as_json:
            console.print(f"[dim]({done}/{total})[/] {escape(message)}")

    v = _guard(lambda: draft_roadmap(settings, store, principal, guidance, use_llm=not no_llm,
                                     progress=progress, local=local))  # fmt: skip
    _audit(store, principal, "roadmap_draft", v.draft_id, version=v.version)
    if out is not None:
        _guard(lambda: export_draft(store, principal, v.draft_id, out, local=local))
        _audit(store, principal, "roadmap_export", v.draft_id, format=out.suffix, version=v.version)
    if as_json:
        emit_json(version_json(v, sections=False))
    else:
        _print_version(v, out)


@app.command("section")
def section(
    draft_id: str = typer.Argument(..., help="초안 ID"),
    key: str = typer.Argument(
        ...,
        help="절: background, status, vision, initiatives, phases, budget, governance, appendix",
    ),  # fmt: skip
    regenerate: bool = typer.Option(False, "--regenerate", help="이 절만 다시 작성"),
    edit: Path = typer.Option(None, "--edit", help="이 파일의 내용으로 절을 바꿈"),
    no_llm: bool = typer.Option(False, "--no-llm", help="재작성 시 LLM 없이 기본 문안"),
    user: str = typer.Option(None, "--user", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """한 절을 다시 작성하거나(--regenerate) 파일 내용으로 고칩니다(--edit). 새 판이 됩니다."""
    from control_tower.roadmap.service import edit_section, regenerate_section
    from control_tower.roadmap.views import version_json

    if regenerate == (edit is not None):
        fail("--regenerate 와 --edit FILE 중 하나만 지정하세요.")
    settings, store, principal = _context(user)
    local = user is None
    if edit is not None:
        if not edit.is_file():
            fail(f"파일이 없습니다: {edit}")
        try:
            text = edit.read_text("utf-8")
        except UnicodeDecodeError:
            fail("절 내용 파일은 UTF-8 텍스트여야 합니다.")
        v = _guard(lambda: edit_section(store, principal, draft_id, key, text, local=local))
    else:
        v = _guard(lambda: regenerate_section(settings, store, principal, draft_id, key,
                                              use_llm=not no_llm, local=local))  # fmt: skip
    _audit(store, principal, "roadmap_edit", draft_id, version=v.version, section=key)
    if as_json:
        emit_json(version_json(v))
        return
    sec = v.sections[key]
    console.print(f"{v.version}판: {escape(sec.title)} ({sec.method}) {escape(sec.note)}")
    console.print(escape(sec.text))


@app.command("edit")
def edit_structure(
    draft_id: str = typer.Argument(..., help="초안 ID"),
    initiative: str = typer.Option(None, "--initiative", help="추진과제 ID"),
    phase: str = typer.Option(None, "--phase", help="단계: 단기, 중기, 장기"),
    start_year: int = typer.Option(None, "--start-year", help="착수 연도"),
    end_year: int = typer.Option(None, "--end-year", help="종료 연도"),
    budget: list[str] = typer.Option(None, "--budget", help="예산 줄 YEAR=억원 (여러 번)"),
    vision: str = typer.Option(None, "--vision", help="비전 문장"),
    user: str = typer.Option(None, "--user", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """구조(과제의 단계·기간, 예산 줄, 비전)를 고치고 점검을 다시 실행합니다."""
    from control_tower.roadmap.service import edit_structure as edit_fn
    from control_tower.roadmap.views import version_json

    changes: dict = {k: v for k, v in {"initiative": initiative, "phase": phase,
                     "start_year": start_year, "end_year": end_year, "vision": vision}.items()
                     if v is not None}  # fmt: skip
    if budget:
        try:
            changes["budget_by_year"] = {
                int(y): float(x) for y, x in (b.split("=", 1) for b in budget)
            }
        except ValueError:
            fail("--budget 는 YEAR=억원 형식이어야 합니다 (예: --budget 2027=12.5).")
    _, store, principal = _context(user)
    v = _guard(lambda: edit_fn(store, principal, draft_id, changes, local=user is None))
    _audit(store, principal, "roadmap_edit", draft_id, version=v.version, structure=True)
    if as_json:
        emit_json(version_json(v, sections=False))
    else:
        _print_version(v, None)


@app.command("export")
def export(
    draft_id: str = typer.Argument(..., help="초안 ID"),
    out: Path = typer.Option(..., "--out", help="내보낼 파일 (.md, .docx, .hwpx)"),
    version: int = typer.Option(None, "--version", help="판 번호 (기본: 최신)"),
    user: str = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """초안을 Markdown, DOCX 또는 HWPX로 내보냅니다 (내보내는 사용자의 열람 권한을 다시 확인)."""
    from control_tower.roadmap.service import export_draft

    _, store, principal = _context(user)
    path = _guard(lambda: export_draft(store, principal, draft_id, out, version=version,
                                       local=user is None))  # fmt: skip
    _audit(store, principal, "roadmap_export", draft_id, format=out.suffix, version=version)
    console.print(f"내보냄: {path}")


@app.command("versions")
def versions_cmd(
    draft_id: str = typer.Argument(..., help="초안 ID"),
    user: str = typer.Option(None, "--user", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """초안의 판 목록."""
    from control_tower.roadmap.service import versions

    _, store, principal = _context(user)
    rows = _guard(lambda: versions(store, principal, draft_id, local=user is None))
    if as_json:
        emit_json({"draft_id": draft_id, "versions": rows})
        return
    for r in rows:
        when, who = r["created_at"][:19], escape(r["created_by"])
        console.print(f"{r['version']}판  {when}  {who}  {escape(r['note'])}")


@app.command("list")
def list_cmd(
    user: str = typer.Option(None, "--user", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """볼 수 있는 로드맵 초안 목록."""
    from control_tower.roadmap.service import list_drafts

    _, store, principal = _context(user)
    rows = list_drafts(store, principal, local=user is None)
    if as_json:
        emit_json({"drafts": rows})
        return
    if not rows:
        console.print(
            "로드맵 초안이 없습니다. `ct roadmap draft --from 2026 --to 2030` 으로 만드세요."
        )
    for r in rows:
        console.print(
            f"{r['draft_id']}  {r['version']}판  {escape(r['title'])}  ({escape(r['created_by'])})"
        )


@app.command("show")
def show(
    draft_id: str = typer.Argument(..., help="초안 ID"),
    version: int = typer.Option(None, "--version", help="판 번호 (기본: 최신)"),
    user: str = typer.Option(None, "--user", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """초안 한 판의 구조와 점검 결과."""
    from control_tower.roadmap.service import get_version
    from control_tower.roadmap.views import version_json

    _, store, principal = _context(user)
    v = _guard(lambda: get_version(store, principal, draft_id, version, local=user is None))
    if as_json:
        emit_json(version_json(v))
    else:
        _print_version(v, None)


@app.command("diff")
def diff(
    draft_id: str = typer.Argument(..., help="초안 ID"),
    a: int = typer.Argument(..., help="비교할 판"),
    b: int = typer.Argument(..., help="비교 대상 판"),
    user: str = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """두 판의 차이 (절 문안, 과제의 단계·기간·예산, 점검 결과). JSON으로 출력합니다."""
    from control_tower.roadmap.service import compare_versions

    _, store, principal = _context(user)
    emit_json(
        _guard(lambda: compare_versions(store, principal, draft_id, a, b, local=user is None))
    )


@app.command("restore")
def restore_cmd(
    draft_id: str = typer.Argument(..., help="초안 ID"),
    version: int = typer.Argument(..., help="되돌릴 판"),
    user: str = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """예전 판을 새 판으로 되살립니다 (기록은 지워지지 않음)."""
    from control_tower.roadmap.service import restore

    _, store, principal = _context(user)
    v = _guard(lambda: restore(store, principal, draft_id, version, local=user is None))
    _audit(store, principal, "roadmap_edit", draft_id, version=v.version, restored=version)
    _print_version(v, None)
