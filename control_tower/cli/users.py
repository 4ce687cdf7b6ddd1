"""`ct users …` and `ct departments …`: accounts from the command line (first-run admin
bootstrap, scripted provisioning, recovery when nobody can log in).

A thin layer over ``control_tower.accounts``; every change is written to the audit log with
surface ``cli`` and the operating-system user as the actor. Passwords come from ``--password``
or, better (not in the shell history), ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import sys

import typer
from rich.table import Table

from control_tower.cli.output import console, emit_json, fail
from control_tower.settings import get_settings

users_app = typer.Typer(help="사용자 계정 관리", no_args_is_help=True)
departments_app = typer.Typer(help="부서 관리", no_args_is_help=True)

ROLE_HELP = "역할: staff, dept_head, ai_division, admin (여러 번 지정 가능)"


def _store():
    from control_tower.store import open_store

    return open_store(get_settings())


def _audit(store, event: str, target: str, **details) -> None:  # noqa: ANN001
    from control_tower.audit import AuditLog
    from control_tower.domain import Principal

    try:
        os_user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        os_user = "unknown"
    actor = Principal(username=f"cli:{os_user}", department=None, roles=set())
    AuditLog(store).record(actor, event, surface="cli", target=target, **details)


def _password(password: str | None, from_stdin: bool) -> str:
    if password is not None and from_stdin:
        fail("--password 와 --password-stdin 은 함께 쓸 수 없습니다.", code=2)
    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            fail("표준 입력에서 비밀번호를 읽지 못했습니다.", code=2, hint="echo '비밀번호' | ct …")
        return value
    if password is None:
        fail(
            "비밀번호를 지정하세요.",
            code=2,
            hint="--password-stdin (권장, 셸 기록에 남지 않음) 또는 --password 를 쓰세요.",
        )
    return password


def _run(fn):  # noqa: ANN001, ANN202
    from control_tower.accounts import AccountError

    try:
        return fn()
    except AccountError as e:
        hint = None
        if e.code == "unknown_department":
            hint = "ct departments add 부서이름  (또는 --create-department)"
        fail(e.message_ko, code=2 if e.code in {"unknown_role", "weak_password"} else 1, hint=hint)


@users_app.command("add")
def add(
    username: str = typer.Argument(..., help="아이디 (로그인 이름)"),
    role: list[str] = typer.Option(..., "--role", "-r", help=ROLE_HELP),
    department: str = typer.Option(..., "--department", "-d", help="소속 부서 (등록된 부서)"),
    password: str | None = typer.Option(None, "--password", help="비밀번호 (8자 이상)"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="비밀번호를 stdin에서"),
    display_name: str | None = typer.Option(None, "--display-name", help="화면에 보일 이름"),
    create_department: bool = typer.Option(
        False, "--create-department", help="부서가 없으면 새로 등록"
    ),
    as_json: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력"),
) -> None:
    """사용자를 추가합니다 (첫 관리자: ct users add admin --role admin --department 정보통신과
    --password-stdin)."""
    from control_tower import accounts

    _run(lambda: accounts.parse_roles(role))
    pw = _password(password, password_stdin)
    store = _store()
    if create_department:
        _run(lambda: accounts.ensure_department(store, department))
    user = _run(
        lambda: accounts.create_user(
            store,
            username,
            department=department,
            roles=role,
            password=pw,
            display_name=display_name,
        )
    )
    _audit(store, "admin.user_create", user.username, roles=[r.value for r in user.roles])
    if as_json:
        emit_json(user)
        return
    roles = ", ".join(r.value for r in user.roles)
    console.print(f"사용자를 추가했습니다: [bold]{user.username}[/] ({user.department}, {roles})")


@users_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력")) -> None:
    """등록된 사용자를 보여 줍니다."""
    from control_tower import accounts

    users = accounts.list_users(_store())
    if as_json:
        emit_json({"users": [u.model_dump(mode="json") for u in users]})
        return
    table = Table("아이디", "이름", "부서", "역할", "상태", "마지막 로그인")
    for u in users:
        state = "사용 중지" if u.disabled else ("비밀번호 없음" if not u.has_password else "사용")
        last = u.last_login_at.astimezone().strftime("%Y-%m-%d %H:%M") if u.last_login_at else "-"
        roles = ", ".join(r.value for r in u.roles)
        table.add_row(u.username, u.display_name or "", u.department or "", roles, state, last)
    console.print(table)
    console.print(f"사용자 {len(users)}명")


def _set_disabled(username: str, disabled: bool) -> None:
    from control_tower import accounts

    store = _store()
    user = _run(lambda: accounts.set_disabled(store, username, disabled))
    _audit(store, "admin.user_disable" if disabled else "admin.user_enable", user.username)
    word = "사용 중지했습니다 (모든 로그인 세션 종료)" if disabled else "다시 사용하게 했습니다"
    console.print(f"{user.username} 계정을 {word}.")


@users_app.command("disable")
def disable(username: str = typer.Argument(..., help="아이디")) -> None:
    """계정을 사용 중지합니다 (로그인·API 키 모두 막힘)."""
    _set_disabled(username, True)


@users_app.command("enable")
def enable(username: str = typer.Argument(..., help="아이디")) -> None:
    """사용 중지된 계정을 다시 쓸 수 있게 합니다 (잠금도 풀림)."""
    _set_disabled(username, False)


@users_app.command("reset-password")
def reset_password(
    username: str = typer.Argument(..., help="아이디"),
    password: str | None = typer.Option(None, "--password", help="새 비밀번호 (8자 이상)"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="새 비밀번호를 stdin에서"),
) -> None:
    """비밀번호를 새로 정합니다 (잠금 해제, 모든 로그인 세션 종료)."""
    from control_tower import accounts

    pw = _password(password, password_stdin)
    store = _store()
    user = _run(lambda: accounts.reset_password(store, username, pw))
    _audit(store, "admin.password_reset", user.username)
    console.print(f"{user.username} 의 비밀번호를 바꿨습니다. 기존 로그인은 모두 끝났습니다.")


@departments_app.command("add")
def department_add(
    name: str = typer.Argument(..., help="부서 이름 (예: 배터리산업과)"),
    code: str | None = typer.Option(None, "--code", help="부서 코드 (선택)"),
) -> None:
    """부서를 등록합니다 (이미 있으면 그대로 둡니다)."""
    from control_tower import accounts

    store = _store()
    existed = accounts.get_department(store, name) is not None
    dept = _run(lambda: accounts.ensure_department(store, name, code=code))
    if existed:
        console.print(f"이미 등록된 부서입니다: {dept.name}")
        return
    _audit(store, "admin.department_add", dept.name, code=dept.code)
    console.print(f"부서를 등록했습니다: [bold]{dept.name}[/]")


@departments_app.command("list")
def department_list(
    as_json: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력"),
) -> None:
    """등록된 부서를 보여 줍니다."""
    from control_tower import accounts

    depts = accounts.list_departments(_store())
    if as_json:
        emit_json({"departments": [d.model_dump(mode="json") for d in depts]})
        return
    table = Table("부서", "코드", "상태")
    for d in depts:
        table.add_row(d.name, d.code or "", "사용" if d.active else "사용 중지")
    console.print(table)
    console.print(f"부서 {len(depts)}개")
