"""`ct registry …`: build, import, list, show and edit the project registry."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from control_tower.cli.output import console, emit_json, fail
from control_tower.cli.principal import resolve_user
from control_tower.domain import AccessLevel, Principal, Role
from control_tower.settings import get_settings

app = typer.Typer(help="사업 레지스트리 (부서별 사업 카드)", no_args_is_help=True)

USER_HELP = "이 사용자의 권한으로 봅니다. 지정하지 않으면 익명(공개 문서만)입니다."


def _store():
    from control_tower.store import open_store

    return open_store(get_settings())


@app.command("build")
def build(
    no_llm: bool = typer.Option(False, "--no-llm", help="LLM 없이 규칙으로만 추출"),
    no_links: bool = typer.Option(False, "--no-links", help="연계 분석을 건너뜀"),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """수집된 모든 문서에서 사업 카드를 만들고(바뀐 문서만 다시 읽음) 연계를 분석합니다."""
    from control_tower.registry.build import build_registry

    settings = get_settings()
    report = build_registry(settings, _store(), use_llm=not no_llm, link=not no_links)
    if as_json:
        emit_json(report.public())
        return
    console.print(
        f"사업 카드 {report.cards}개 (새로 {report.created}, 갱신 {report.updated}, "
        f"변화 없음 {report.unchanged}, 삭제 {report.removed}) · 연계 {report.links}건 · "
        f"LLM 항목 {report.llm_fields}개 · {report.seconds:.1f}초"
    )
    for note in report.notes:
        console.print(f"[yellow]알림:[/] {escape(note)}")
    for p in report.problems:
        console.print(f"[red]읽지 못한 문서:[/] {escape(p['title'])} — {escape(p['message'])}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="사업 목록 파일 (CSV, XLSX, JSONL)"),
    mapping: str = typer.Option(
        None,
        "--mapping",
        help="열 매핑: 기본 제공 이름(seoul_budget_2018 등) 또는 JSON 파일. "
        "없으면 파일의 열 이름에 맞는 기본 매핑을 고릅니다.",
    ),
    department: str = typer.Option(None, "--department", help="목록을 소유한 부서"),
    access: AccessLevel = typer.Option(AccessLevel.internal, "--access", help="열람 범위"),
    sheet: str = typer.Option(None, "--sheet", help="XLSX 시트 이름"),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """사업 목록 파일을 가져옵니다. 다음 `ct registry build`에서 카드가 됩니다."""
    from control_tower.registry.importer import ImportFileError
    from control_tower.registry.imports import import_project_list
    from control_tower.registry.mappings import MappingError

    if not file.is_file():
        fail(f"파일이 없습니다: {file}")
    try:
        report = import_project_list(
            _store(), file, mapping, department=department, access=access, sheet=sheet
        )
    except (ImportFileError, MappingError) as exc:
        fail(str(exc))
    if as_json:
        emit_json(report.model_dump())
        return
    console.print(
        f"{escape(report.path)}: {report.rows}행 중 {report.imported}건 가져옴"
        f" (사업명 없는 행 {len(report.skipped_rows)}개 건너뜀)."
        " `ct registry build`로 카드를 만드세요."
    )


def _principal(user: str | None) -> Principal:
    return resolve_user(get_settings(), user)


@app.command("list")
def list_(
    department: str = typer.Option(None, "--department", "-d", help="이 부서가 참여하는 사업만"),
    user: str = typer.Option(None, "--user", "-u", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """사업 카드 목록 (읽을 수 있는 문서에서 나온 내용만)."""
    from control_tower.registry.service import list_cards
    from control_tower.registry.views import card_json

    cards = list_cards(_store(), _principal(user), department=department)
    if as_json:
        emit_json({"cards": [card_json(c) for c in cards]})
        return
    table = Table(title=f"사업 카드 {len(cards)}개")
    for col in ("ID", "사업명", "주관 부서", "기간", "사업비(억원)", "상태", "출처"):
        table.add_column(col)
    for c in cards:
        period = "~".join(str(y) for y in (c.value("start_year"), c.value("end_year")) if y)
        budget = c.value("budget_eok")
        table.add_row(
            c.id,
            escape(c.name),
            escape(c.lead_department or ""),
            period,
            f"{budget:,.1f}" if budget is not None else "",
            c.value("status") or "",
            str(len(c.sources())),
        )
    console.print(table)


@app.command("show")
def show(
    card_id: str = typer.Argument(..., help="카드 ID (ct registry list)"),
    user: str = typer.Option(None, "--user", "-u", help=USER_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """사업 카드 하나: 항목마다 값, 얻은 방법, 출처."""
    from control_tower.registry.edits import history
    from control_tower.registry.service import RegistryError, get_card
    from control_tower.registry.views import card_json

    store = _store()
    try:
        card = get_card(store, _principal(user), card_id)
    except RegistryError as exc:
        fail(exc.message_ko)
    data = card_json(card, detail=True)
    data["history"] = history(store, card.id)
    if as_json:
        emit_json(data)
        return
    console.print(f"[bold]{escape(card.name)}[/] ({card.id})")
    for key, shown in data["fields"].items():
        src = shown.get("source") or {}
        where = Path(src.get("path") or "").name or shown.get("by") or ""
        console.print(
            f"  {key}: {escape(str(shown['value']))}  [dim]{shown['method']} · {escape(where)}[/]"
        )


def _editor(user: str | None) -> Principal:
    """Edits are attributed: the CLI needs --user, or runs as the local administrator."""
    if user:
        return _principal(user)
    return Principal(username="cli-admin", roles={Role.admin})


@app.command("edit")
def edit(
    card_id: str = typer.Argument(..., help="카드 ID"),
    set_: list[str] = typer.Option(None, "--set", help="항목=값 (예: budget_eok=12.5)"),
    revert: list[str] = typer.Option(None, "--revert", help="이 항목의 수정을 되돌림"),
    user: str = typer.Option(
        None, "--user", "-u", help="수정한 사람으로 기록할 사용자 (없으면 cli-admin)"
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """카드 항목을 고치거나(--set) 고친 것을 되돌립니다(--revert). 다시 추출해도 유지됩니다."""
    from control_tower.registry.service import RegistryError, edit_card
    from control_tower.registry.views import card_json

    values: dict[str, str] = {}
    for item in set_ or []:
        if "=" not in item:
            fail(f"--set 은 항목=값 형식이어야 합니다: '{item}'", hint="예: --set status=추진중")
        key, value = item.split("=", 1)
        values[key.strip()] = value
    if not values and not revert:
        fail("--set 또는 --revert 를 하나 이상 지정하세요.")
    try:
        card = edit_card(_store(), _editor(user), card_id, set_values=values, revert=revert or [])
    except RegistryError as exc:
        fail(exc.message_ko)
    if as_json:
        emit_json(card_json(card))
    else:
        console.print(f"수정했습니다: {escape(card.name)} ({card.id})")
