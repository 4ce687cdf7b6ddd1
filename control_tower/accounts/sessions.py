"""Login sessions: the cookie holds a random token, the database only its SHA-256.

A session dies at logout, after ``session_idle_minutes`` without a request, and
``session_absolute_hours`` after login whatever happens; a dead row is deleted when seen.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from control_tower.accounts.types import IssuedSession, SessionInfo, UserInfo
from control_tower.domain import now
from control_tower.store.models import SessionRow, UserRow

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(
    store,  # noqa: ANN001 - control_tower.store.Store
    settings,  # noqa: ANN001 - control_tower.settings.Settings
    username: str,
    *,
    ip: str | None = None,
    user_agent: str | None = None,
    replaces: str | None = None,
) -> IssuedSession:
    """A new session for ``username``. ``replaces`` (the caller's previous cookie token, if any)
    is revoked in the same transaction: the session id always changes at login."""
    token = secrets.token_urlsafe(32)
    ts = now()
    row = SessionRow(
        id=hash_token(token),
        username=username,
        csrf_token=secrets.token_urlsafe(32),
        created_at=ts,
        last_seen_at=ts,
        expires_at=ts + timedelta(hours=settings.session_absolute_hours),
        ip=(ip or None) and ip[:64],
        user_agent=(user_agent or None) and user_agent[:300],
    )
    with store.begin() as s:
        if replaces:
            s.execute(delete(SessionRow).where(SessionRow.id == hash_token(replaces)))
        _purge_expired(s, settings)
        s.add(row)
        s.flush()
        return IssuedSession(token=token, session=SessionInfo.model_validate(row))


def resolve_session(store, settings, token: str | None) -> tuple[SessionInfo, UserInfo] | None:  # noqa: ANN001
    """The live session behind a cookie token and its (enabled) user, or None."""
    if not token or len(token) > 200:
        return None
    sid = hash_token(token)
    ts = now()
    with store.session() as s:
        row = s.get(SessionRow, sid)
        if row is None:
            return None
        user = s.get(UserRow, row.username)
        dead = (
            ts >= row.expires_at
            or ts - row.last_seen_at >= timedelta(minutes=settings.session_idle_minutes)
            or user is None
            or user.disabled
        )
        stale = ts - row.last_seen_at >= TOUCH_EVERY
        info = SessionInfo.model_validate(row)
        user_info = None if user is None else _user_info(user)
    if dead:
        revoke_session(store, sid)
        return None
    if stale:
        with store.begin() as s:
            live = s.get(SessionRow, sid)
            if live is not None:
                live.last_seen_at = ts
        info = info.model_copy(update={"last_seen_at": ts})
    return info, user_info


def revoke_session(store, session_id: str) -> None:  # noqa: ANN001
    with store.begin() as s:
        s.execute(delete(SessionRow).where(SessionRow.id == session_id))


def revoke_token(store, token: str | None) -> None:  # noqa: ANN001
    if token:
        revoke_session(store, hash_token(token))


def revoke_user_sessions(store, username: str, *, except_id: str | None = None) -> int:  # noqa: ANN001
    """End every session of ``username`` (logout everywhere, password change, disable)."""
    with store.begin() as s:
        q = delete(SessionRow).where(SessionRow.username == username)
        if except_id is not None:
            q = q.where(SessionRow.id != except_id)
        return s.execute(q).rowcount or 0


def list_sessions(store, username: str) -> list[SessionInfo]:  # noqa: ANN001
    with store.session() as s:
        q = (
            select(SessionRow)
            .where(SessionRow.username == username)
            .order_by(SessionRow.created_at.desc())
        )
        return [SessionInfo.model_validate(r) for r in s.scalars(q)]


def _purge_expired(s, settings) -> None:  # noqa: ANN001
    ts = now()
    idle_cutoff = ts - timedelta(minutes=settings.session_idle_minutes)
    s.execute(
        delete(SessionRow).where(
            (SessionRow.expires_at <= ts) | (SessionRow.last_seen_at <= idle_cutoff)
        )
    )


def _user_info(row: UserRow) -> UserInfo:
    from control_tower.accounts.users import user_info

    return user_info(row)
