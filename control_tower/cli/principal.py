"""Who a CLI command runs as: `--user NAME` (a registered, enabled user) or the anonymous
principal, who reads public documents only — the same rule for every command."""

from __future__ import annotations

from control_tower.cli.output import fail
from control_tower.domain import Principal

UNKNOWN_USER_HINT = (
    "등록된 사용자 이름을 --user 로 지정하세요. 사용자 목록은 `ct users list`, 새 사용자는 "
    "`ct users add 이름 --role staff --department 부서 --password-stdin` 으로 만듭니다 "
    "(데모 사용자: `ct serve --demo`)."
)


def resolve_user(settings, username: str | None) -> Principal:
    if not username:
        return Principal.anonymous()
    from control_tower.accounts import get_user
    from control_tower.store import open_store

    user = get_user(open_store(settings), username)
    if user is None:
        fail(f"알 수 없는 사용자입니다: '{username}'", hint=UNKNOWN_USER_HINT)
    if user.disabled:
        fail(f"사용이 중지된 사용자입니다: '{user.username}'", hint="관리자에게 문의하세요.")
    return user.principal()
