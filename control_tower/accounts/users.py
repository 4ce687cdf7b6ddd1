"""Local user accounts over the store: create, update, disable, passwords.

Every function takes a ``Store`` and returns ``UserInfo`` (pydantic), so routers and the CLI
never hold ORM rows. Ending sessions is part of the change that needs it (disable, password
reset or change), never a separate step a caller could forget.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select, update

from control_tower.accounts import passwords
from control_tower.accounts.departments import require_department
from control_tower.accounts.sessions import revoke_user_sessions
from control_tower.accounts.types import AccountError, UserInfo
from control_tower.domain import Role, name_key, now
from control_tower.store.models import ApiKeyRow, UserRow

# Letters (Hangul included), digits and . _ - @; no spaces, slashes or control characters.
_USERNAME = re.compile(r"^[\w.@-]{2,64}$")
RESERVED = {"anonymous"}
ROLE_NAMES = ", ".join(r.value for r in Role)


def normalize_username(username: str) -> str:
    clean = name_key(username or "")
    if not _USERNAME.match(clean):
        raise AccountError(
            "bad_username",
            "아이디는 2~64자의 글자, 숫자, '.', '_', '-', '@' 로만 만들 수 있습니다.",
        )
    if clean.casefold() in RESERVED:
        raise AccountError("bad_username", f"'{clean}' 은(는) 쓸 수 없는 아이디입니다.")
    return clean


def parse_roles(values: Iterable[Role | str]) -> list[Role]:
    roles: set[Role] = set()
    for v in values:
        try:
            roles.add(v if isinstance(v, Role) else Role(str(v).strip()))
        except ValueError:
            raise AccountError(
                "unknown_role", f"알 수 없는 역할입니다: '{v}'. 역할은 {ROLE_NAMES} 중 하나입니다."
            ) from None
    if not roles:
        raise AccountError("no_role", f"역할을 하나 이상 지정하세요 ({ROLE_NAMES}).")
    return sorted(roles, key=lambda r: list(Role).index(r))


def user_info(row: UserRow) -> UserInfo:
    return UserInfo(
        username=row.username,
        display_name=row.display_name,
        department=row.department,
        roles=[Role(r) for r in (row.roles or []) if r in Role._value2member_map_],
        disabled=bool(row.disabled),
        has_password=bool(row.password_hash),
        locked_until=row.locked_until,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
        password_changed_at=row.password_changed_at,
    )


def create_user(
    store,  # noqa: ANN001 - control_tower.store.Store
    username: str,
    *,
    department: str,
    roles: Iterable[Role | str],
    password: str | None = None,
    display_name: str | None = None,
) -> UserInfo:
    """A new account. ``password=None`` makes an account without password login (SSO or
    API-key only). The department must already exist (``ensure_department``)."""
    name = normalize_username(username)
    role_list = parse_roles(roles)
    if password is not None:
        passwords.check_policy(password, username=name)
    pw_hash = passwords.hash_password(password) if password is not None else None
    with store.begin() as s:
        if s.get(UserRow, name) is not None:
            raise AccountError("user_exists", f"이미 있는 아이디입니다: {name}")
        ts = now()
        row = UserRow(
            username=name,
            department=require_department(s, department),
            roles=[r.value for r in role_list],
            display_name=(display_name or "").strip() or None,
            password_hash=pw_hash,
            disabled=False,
            failed_logins=0,
            created_at=ts,
            password_changed_at=ts if pw_hash else None,
        )
        s.add(row)
        s.flush()
        return user_info(row)


def get_user(store, username: str) -> UserInfo | None:  # noqa: ANN001
    with store.session() as s:
        row = s.get(UserRow, name_key(username or ""))
        return user_info(row) if row else None


def list_users(store) -> list[UserInfo]:  # noqa: ANN001
    with store.session() as s:
        return [user_info(r) for r in s.scalars(select(UserRow).order_by(UserRow.username))]


def has_admin(store) -> bool:  # noqa: ANN001
    """Whether an enabled admin account exists (the one-time setup page checks this)."""
    return any(Role.admin in u.roles and not u.disabled for u in list_users(store))


def update_user(
    store,  # noqa: ANN001
    username: str,
    *,
    department: str | None = None,
    roles: Iterable[Role | str] | None = None,
    display_name: str | None = None,
) -> UserInfo:
    """Change department, roles or display name; only the given fields change."""
    with store.begin() as s:
        row = _row(s, username)
        if department is not None:
            row.department = require_department(s, department)
        if roles is not None:
            row.roles = [r.value for r in parse_roles(roles)]
        if display_name is not None:
            row.display_name = display_name.strip() or None
        return user_info(row)


def set_disabled(store, username: str, disabled: bool) -> UserInfo:  # noqa: ANN001
    """Disable (every session ends at once) or enable an account."""
    with store.begin() as s:
        row = _row(s, username)
        row.disabled = disabled
        if not disabled:
            row.failed_logins = 0
            row.locked_until = None
        info = user_info(row)
    if disabled:
        revoke_user_sessions(store, info.username)
    return info


def reset_password(store, username: str, new_password: str) -> UserInfo:  # noqa: ANN001
    """Set a password without knowing the old one (admin, CLI): clears the lockout and ends
    every session of the user and revokes their API keys — a reset usually means the account
    may be compromised, and a key made by whoever held it would otherwise keep working."""
    with store.begin() as s:
        row = _row(s, username)
        passwords.check_policy(new_password, username=row.username)
        row.password_hash = passwords.hash_password(new_password)
        row.password_changed_at = now()
        row.failed_logins = 0
        row.locked_until = None
        info = user_info(row)
    revoke_user_sessions(store, info.username)
    with store.begin() as s:
        s.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.username == info.username, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=now())
        )
    return info


def change_password(
    store,  # noqa: ANN001
    username: str,
    old_password: str,
    new_password: str,
    *,
    keep_session: str | None = None,
) -> UserInfo:
    """The user's own change: the old password must verify; every other session ends
    (``keep_session`` is the id of the session making the change)."""
    with store.session() as s:
        row = _row(s, username)
        stored = row.password_hash
    if not passwords.verify_password(stored, old_password):
        raise AccountError("wrong_password", "현재 비밀번호가 올바르지 않습니다.")
    if new_password == old_password:
        raise AccountError("same_password", "새 비밀번호가 현재 비밀번호와 같습니다.")
    passwords.check_policy(new_password, username=username)
    with store.begin() as s:
        row = _row(s, username)
        row.password_hash = passwords.hash_password(new_password)
        row.password_changed_at = now()
        info = user_info(row)
    revoke_user_sessions(store, info.username, except_id=keep_session)
    return info


def _row(s, username: str) -> UserRow:  # noqa: ANN001
    row = s.get(UserRow, name_key(username or ""))
    if row is None:
        raise AccountError("unknown_user", f"없는 사용자입니다: {username}")
    return row
