"""The login, logout and password steps shared by the form pages and the JSON API, each with
its audit event, so both surfaces behave (and are logged) the same.

Audit events: ``login`` (ok), ``login_failed`` (failed; details.reason = invalid_credentials,
disabled, rate_limited or locked), ``account_locked`` (the failure that started a lockout),
``logout``, ``logout_all``, ``password_change`` (ok / failed), ``api_key_create``,
``api_key_revoke``, ``admin.setup`` (first admin created on the setup page).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from control_tower import accounts
from control_tower.accounts.types import AccountError, IssuedSession, UserInfo
from control_tower.audit import AuditLog
from control_tower.domain import Principal
from serving.auth import SESSION_COOKIE, auth_context, client_ip
from serving.cookies import clear_session_cookie, set_session_cookie


def audit(
    request: Request,
    principal: Principal,
    event: str,
    *,
    surface: str,
    target: str | None = None,
    outcome: str = "ok",
    **details: Any,
) -> None:
    store = request.app.state.services.store
    AuditLog(store).record(
        principal,
        event,
        surface=surface,
        target=target,
        outcome=outcome,
        ip=client_ip(request),
        **details,
    )


def _attempted(username: str) -> Principal:
    name = (username or "").strip()[:200] or "-"
    return Principal(username=name, department=None, roles=set(), authenticated=False)


def log_in(
    request: Request, response: Response, username: str, password: str, *, surface: str
) -> tuple[UserInfo, IssuedSession]:
    """Check the password, then issue a NEW session (the caller's old one, if any, is revoked)
    and set its cookie on ``response``. Raises ``AccountError`` (already audited)."""
    services = request.app.state.services
    store, settings = services.store, services.settings
    try:
        user = accounts.authenticate(store, settings, username, password, ip=client_ip(request))
    except AccountError as e:
        who = _attempted(username)
        audit(request, who, "login_failed", surface=surface, outcome="failed", reason=e.code)
        if getattr(e, "just_locked", False):
            audit(request, who, "account_locked", surface=surface, outcome="denied")
        raise
    issued = accounts.create_session(
        store,
        settings,
        user.username,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        replaces=request.cookies.get(SESSION_COOKIE),
    )
    set_session_cookie(response, request, issued.token)
    audit(request, user.principal(), "login", surface=surface, target=user.username)
    return user, issued


def log_out(request: Request, response: Response, *, everywhere: bool, surface: str) -> None:
    ctx = auth_context(request)
    store = request.app.state.services.store
    if ctx.session is not None:
        if everywhere:
            n = accounts.revoke_user_sessions(store, ctx.session.username)
            audit(request, ctx.principal, "logout_all", surface=surface, sessions=n)
        else:
            accounts.revoke_session(store, ctx.session.id)
            audit(request, ctx.principal, "logout", surface=surface)
    elif everywhere and ctx.principal.authenticated:  # API key or SSO: end the web sessions
        n = accounts.revoke_user_sessions(store, ctx.principal.username)
        audit(request, ctx.principal, "logout_all", surface=surface, sessions=n)
    clear_session_cookie(response, request)


def change_password(
    request: Request, current: str, new: str, confirm: str | None, *, surface: str
) -> UserInfo:
    """The signed-in user's own change; the calling session stays, every other one ends."""
    ctx = auth_context(request)
    store = request.app.state.services.store
    try:
        if confirm is not None and new != confirm:
            raise AccountError("password_mismatch", "새 비밀번호와 확인이 일치하지 않습니다.")
        user = accounts.change_password(
            store,
            ctx.principal.username,
            current,
            new,
            keep_session=ctx.session.id if ctx.session else None,
        )
    except AccountError as e:
        audit(
            request,
            ctx.principal,
            "password_change",
            surface=surface,
            outcome="failed",
            reason=e.code,
        )
        raise
    audit(request, ctx.principal, "password_change", surface=surface, target=user.username)
    return user
