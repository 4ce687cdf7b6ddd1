"""Who is calling: one resolution per request, then dependencies that demand a user.

Resolution (``auth_context``), cached on ``request.state`` so the CSRF middleware and the route
share one database lookup:

1. an ``Authorization`` header: only a live API key (``Bearer ct_…``) of an enabled user.
   An explicit credential decides alone — a bad key is a 401 even next to a good cookie;
2. the session cookie ``ct_session`` (idle and absolute expiry checked in ``accounts``);
3. the trusted header of a city SSO proxy — only when ``settings.trusted_header`` is set AND
   the connecting address is inside ``settings.trusted_proxies``. Otherwise that header, and
   the old ``X-CT-User``, are ignored entirely.

A disabled or unknown user is never a principal. ``current_principal`` (every ``/api/v1`` route
but health and login) answers 401 for anonymous callers; ``optional_principal`` allows them;
``page_principal`` sends browsers to ``/login?next=…`` instead.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote

from fastapi import Depends, Request

from control_tower import accounts
from control_tower.accounts.types import ApiKeyInfo, SessionInfo, UserInfo
from control_tower.domain import Principal, Role, name_key
from serving.cookies import SESSION_COOKIE
from serving.errors import api_error


@dataclass(frozen=True)
class AuthContext:
    principal: Principal
    method: str | None = None  # "session" | "api_key" | "trusted_header" | None
    user: UserInfo | None = None
    session: SessionInfo | None = None
    api_key: ApiKeyInfo | None = None
    problem: str | None = None  # why a presented credential failed: "invalid_api_key", …


ANONYMOUS = AuthContext(principal=Principal.anonymous())


def auth_context(request: Request) -> AuthContext:
    cached = getattr(request.state, "auth", None)
    if cached is None:
        cached = _resolve(request)
        request.state.auth = cached
        request.state.principal = cached.principal
        request.state.user = cached.user
        request.state.session = cached.session
    return cached


def _resolve(request: Request) -> AuthContext:
    services = request.app.state.services
    store, settings = services.store, services.settings
    authz = request.headers.get("authorization")
    if authz:
        scheme, _, key = authz.partition(" ")
        found = accounts.resolve_api_key(store, key.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            return AuthContext(principal=Principal.anonymous(), problem="invalid_api_key")
        key_info, user = found
        return AuthContext(user.principal(), "api_key", user=user, api_key=key_info)
    # The SSO proxy authenticates every request it forwards: its header wins over a session
    # cookie left in the browser by an earlier local login (a shared office PC).
    if settings.trusted_header and _from_trusted_proxy(request, settings.trusted_proxies):
        raw = request.headers.get(settings.trusted_header)
        if raw:
            user = accounts.get_user(store, name_key(unquote(raw)))
            if user is None or user.disabled:
                return AuthContext(principal=Principal.anonymous(), problem="unknown_user")
            return AuthContext(user.principal(), "trusted_header", user=user)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        found = accounts.resolve_session(store, settings, token)
        if found is not None:
            session, user = found
            return AuthContext(user.principal(), "session", user=user, session=session)
    return ANONYMOUS


def _from_trusted_proxy(request: Request, proxies: list[str]) -> bool:
    host = request.client.host if request.client else None
    if not host or not proxies:
        return False
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    for entry in proxies:
        try:
            if addr in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


_PROBLEMS = {
    "invalid_api_key": ("invalid_api_key", "API 키가 올바르지 않거나 폐기되었습니다."),
    "unknown_user": (
        "unknown_user",
        "알 수 없거나 사용이 중지된 사용자입니다. 관리자에게 계정 등록을 요청하세요.",
    ),
}


def optional_principal(request: Request) -> Principal:
    """The caller, or the anonymous principal (public documents only)."""
    return auth_context(request).principal


def require_user(request: Request) -> Principal:
    """The signed-in caller on any path: 401 ``login_required`` otherwise."""
    ctx = auth_context(request)
    if not ctx.principal.authenticated:
        code, message = _PROBLEMS.get(ctx.problem or "", ("login_required", "로그인이 필요합니다."))
        raise api_error(401, code, message, headers={"WWW-Authenticate": "Bearer"})
    return ctx.principal


def current_principal(request: Request) -> Principal:
    """The signed-in caller. Under ``/api/`` anyone else gets 401 ``login_required``; pages
    get the anonymous principal and decide themselves (``page_principal`` redirects)."""
    if request.url.path.startswith("/api/"):
        return require_user(request)
    return auth_context(request).principal


def _has_any(principal: Principal, roles: tuple[Role, ...]) -> bool:
    return principal.is_admin or bool(principal.roles & set(roles))


def require_roles(*roles: Role | str):
    """A dependency: the caller must hold one of ``roles`` (admins always pass) — else 403."""
    wanted = tuple(Role(r) for r in roles)

    def dependency(principal: Principal = Depends(require_user)) -> Principal:
        if not _has_any(principal, wanted):
            raise api_error(403, "forbidden", "이 기능을 사용할 권한이 없습니다.")
        return principal

    return dependency


# --- pages ---------------------------------------------------------------------------------
class LoginRequired(Exception):  # noqa: N818 - an answer, not an error
    """Raised by page dependencies; the handler answers 303 to ``/login?next=…``."""

    def __init__(self, next_url: str):
        self.next_url = next_url


class PageForbidden(Exception):  # noqa: N818
    """A signed-in user opened a page their roles do not allow; answered with a 403 page."""


def page_principal(request: Request) -> Principal:
    ctx = auth_context(request)
    if not ctx.principal.authenticated:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(safe_next(target))
    return ctx.principal


def page_roles(*roles: Role | str):
    """Like ``require_roles`` for pages: login redirect for anonymous, 403 page otherwise."""
    wanted = tuple(Role(r) for r in roles)

    def dependency(principal: Principal = Depends(page_principal)) -> Principal:
        if not _has_any(principal, wanted):
            raise PageForbidden()
        return principal

    return dependency


def safe_next(value: str | None) -> str:
    """A local path to return to after login; anything else (other hosts, ``//evil``,
    ``/\\evil``, schemes, control characters) becomes ``/``."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ord(ch) < 0x20 or ch == "\\" for ch in value) or len(value) > 2000:
        return "/"
    return value


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


__all__ = [
    "SESSION_COOKIE",
    "AuthContext",
    "LoginRequired",
    "PageForbidden",
    "auth_context",
    "client_ip",
    "current_principal",
    "optional_principal",
    "page_principal",
    "page_roles",
    "require_roles",
    "require_user",
    "safe_next",
]
