"""The two cookies of the web app and their flags, in one place.

- ``ct_session``: the session token (HttpOnly, SameSite=Lax, no Max-Age: it ends with the
  browser; the server enforces idle and absolute expiry anyway);
- ``ct_csrf``: a random token for forms shown before login (login, setup) and for the
  trusted-header mode — the double-submit pattern (HttpOnly: pages get the value from the
  server, never from script).

``Secure`` follows ``settings.session_cookie_secure``; when that is None (the default) it is set
for requests that came over HTTPS (uvicorn reports the scheme a trusted proxy forwarded) and
whenever the server listens on a non-loopback address. Plain http on 127.0.0.1/localhost —
development and the demo — goes without it, so Python clients (httpx, TestClient), whose
cookie jars never send Secure cookies over http, keep working. Browsers do not need the
exception: Chromium (Debian 156, checked with Playwright) stores and sends Secure cookies on
http://127.0.0.1 and http://localhost, so ``CT_SESSION_COOKIE_SECURE=true`` works there too.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

SESSION_COOKIE = "ct_session"
CSRF_COOKIE = "ct_csrf"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def cookie_secure(request: Request) -> bool:
    settings = request.app.state.services.settings
    if settings.session_cookie_secure is not None:
        return settings.session_cookie_secure
    if request.url.scheme == "https":
        return True
    return settings.host not in LOOPBACK_HOSTS


def insecure_transport(request: Request) -> bool:
    """Secure cookies would be dropped on this plain-http connection from another machine —
    the login would loop silently, so the login page says so instead."""
    if not cookie_secure(request) or request.url.scheme == "https":
        return False
    return (request.url.hostname or "") not in LOOPBACK_HOSTS


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=cookie_secure(request), path="/"
    )


def csrf_cookie_header(request: Request, token: str) -> str:
    """The ``Set-Cookie`` value for the double-submit token (used by the ASGI middleware)."""
    parts = [f"{CSRF_COOKIE}={token}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if cookie_secure(request):
        parts.append("Secure")
    return "; ".join(parts)
