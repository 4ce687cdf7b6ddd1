"""Password login with per-user lockout and a per-address failure limit.

Lockout state lives on the user row (survives restarts, shared by every worker); failures are
also kept per address in ``login_failures`` so one machine cannot try passwords across many
accounts. A wrong user name costs the same argon2 work as a wrong password and gets the same
message, so the login form does not reveal which accounts exist.
"""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import delete, func, select

from control_tower.accounts import passwords
from control_tower.accounts.types import AccountError, UserInfo
from control_tower.accounts.users import user_info
from control_tower.domain import name_key, now
from control_tower.store.models import LoginFailureRow, UserRow

INVALID = "아이디 또는 비밀번호가 올바르지 않습니다."
KEEP_FAILURES = timedelta(days=1)


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def authenticate(
    store,  # noqa: ANN001 - control_tower.store.Store
    settings,  # noqa: ANN001 - control_tower.settings.Settings
    username: str,
    password: str,
    *,
    ip: str | None = None,
) -> UserInfo:
    """The user behind a correct password, or ``AccountError`` with a Korean message:
    ``invalid_credentials``, ``locked`` (minutes left), ``rate_limited``, ``disabled``."""
    name = name_key(username or "")[:200]
    ts = now()
    _check_address(store, settings, ip)
    with store.session() as s:
        row = s.get(UserRow, name) if name else None
        stored = row.password_hash if row else None
        locked_until = row.locked_until if row else None
    if row is None:  # an unknown name locks like a real one, or lockout would list accounts
        locked_until = _unknown_name_locked_until(store, settings, name)
    if locked_until is not None and locked_until > ts:
        raise _locked(locked_until - ts)
    if row is None or not passwords.verify_password(stored, password or ""):
        _record_failure(store, settings, name, ip, known=row is not None)
        raise AccountError("invalid_credentials", INVALID)
    if row.disabled:
        raise AccountError("disabled", "사용이 중지된 계정입니다. 관리자에게 문의하세요.")
    with store.begin() as s:
        live = s.get(UserRow, name)
        live.failed_logins = 0
        live.locked_until = None
        live.last_login_at = ts
        if passwords.needs_rehash(live.password_hash or ""):
            live.password_hash = passwords.hash_password(password)
        return user_info(live)


def _locked(left: timedelta) -> AccountError:
    seconds = left.total_seconds()
    return AccountError(
        "locked",
        f"로그인 실패가 여러 번 반복되어 계정이 잠겼습니다. {_minutes(seconds)}분 후에 다시 "
        "시도하세요.",
        retry_after_s=math.ceil(seconds),
    )


def _check_address(store, settings, ip: str | None) -> None:  # noqa: ANN001
    if not ip:
        return
    window = timedelta(minutes=settings.login_ip_window_minutes)
    since = now() - window
    with store.session() as s:
        n, oldest = s.execute(
            select(func.count(LoginFailureRow.id), func.min(LoginFailureRow.at)).where(
                LoginFailureRow.ip == ip[:64], LoginFailureRow.at > since
            )
        ).one()
    if n >= settings.login_ip_max_failures:
        left = (oldest + window - now()).total_seconds() if oldest else window.total_seconds()
        raise AccountError(
            "rate_limited",
            f"이 주소에서 로그인 실패가 너무 많습니다. {_minutes(left)}분 후에 다시 시도하세요.",
            retry_after_s=max(1, math.ceil(left)),
        )


def _record_failure(store, settings, name: str, ip: str | None, *, known: bool) -> None:  # noqa: ANN001
    ts = now()
    with store.begin() as s:
        s.add(LoginFailureRow(username=name or "-", ip=(ip or None) and ip[:64], at=ts))
        s.execute(delete(LoginFailureRow).where(LoginFailureRow.at < ts - KEEP_FAILURES))
        if not known:
            row = None
        else:
            row = s.get(UserRow, name)
        if row is not None:
            row.failed_logins = (row.failed_logins or 0) + 1
            if row.failed_logins >= settings.login_max_failures:
                row.failed_logins = 0
                row.locked_until = ts + timedelta(minutes=settings.login_lockout_minutes)
    until = (
        row.locked_until if row is not None else _unknown_name_locked_until(store, settings, name)
    )
    if until is not None and until > ts:
        error = _locked(until - ts)
        error.just_locked = True  # this failure started the lockout (audited as such)
        raise error


def _unknown_name_locked_until(store, settings, name: str):  # noqa: ANN001, ANN202
    """When a name with no account unlocks, mirroring the per-user rule: the
    ``login_max_failures``-th failure within the lockout window locks it for that window."""
    if not name:
        return None
    window = timedelta(minutes=settings.login_lockout_minutes)
    with store.session() as s:
        times = list(
            s.scalars(
                select(LoginFailureRow.at)
                .where(LoginFailureRow.username == name, LoginFailureRow.at > now() - window)
                .order_by(LoginFailureRow.at)
            )
        )
    n = settings.login_max_failures
    return times[n - 1] + window if len(times) >= n else None
