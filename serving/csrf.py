"""CSRF protection for every state-changing request that rides on an ambient credential.

A pure ASGI middleware, so no route can forget it. For POST/PUT/PATCH/DELETE:

- signed in with the session cookie → the session's token must come in the ``X-CSRF-Token``
  header or the ``csrf_token`` form field;
- signed in by the trusted SSO header, and the anonymous forms (``/login``, ``/setup`` — login
  CSRF) → double-submit: the token must equal the ``ct_csrf`` cookie;
- a Bearer API key is exempt (browsers never attach it on their own); a request with no
  credential at all has nothing to forge and goes on (the route answers 401).

Only ``application/x-www-form-urlencoded`` bodies are read for the form field (bounded, then
replayed to the route); uploads (multipart) and JSON must send the header, so a file is never
read into memory here. The token for pages is left on ``request.state.csrf_token``.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse

from serving.auth import LoginRequired, PageForbidden, auth_context
from serving.cookies import CSRF_COOKIE, csrf_cookie_header

log = logging.getLogger(__name__)

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ANONYMOUS_FORMS = {"/login", "/setup"}
MAX_FORM_BYTES = 1024 * 1024
MESSAGE = "보안 토큰(CSRF)이 없거나 올바르지 않습니다. 페이지를 새로 고친 뒤 다시 시도하세요."
INTERNAL_ERROR = {
    "detail": {
        "code": "internal_error",
        "message": "서버 내부 오류가 발생했습니다. 잠시 후 다시 시도하거나 관리자에게 문의하세요.",
    }
}


class CSRFMiddleware:
    def __init__(self, app):  # noqa: ANN001 - an ASGI app
        self.app = app

    async def __call__(self, scope, receive, send):  # noqa: ANN001
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            ctx = await run_in_threadpool(auth_context, request)
        except Exception:  # noqa: BLE001 - e.g. the database is down: same 500 shape as routes
            log.exception("authentication failed on %s %s", scope["method"], scope["path"])
            await JSONResponse(INTERNAL_ERROR, 500)(scope, receive, send)
            return
        cookie_token = request.cookies.get(CSRF_COOKIE)
        if cookie_token is not None and not _well_formed(cookie_token):
            cookie_token = None
        new_cookie = None
        if ctx.session is not None:
            token = ctx.session.csrf_token
        elif ctx.method == "api_key":
            token = None
        else:
            new_cookie = None if cookie_token else secrets.token_urlsafe(32)
            token = cookie_token or new_cookie
        request.state.csrf_token = token

        if scope["method"] in UNSAFE_METHODS and ctx.method != "api_key":
            expected: list[str | None] = []
            if ctx.session is not None:
                expected.append(ctx.session.csrf_token)
            if ctx.method == "trusted_header" or scope["path"] in ANONYMOUS_FORMS:
                # double-submit; on /login also from a form shown before another tab logged in
                expected.append(cookie_token)
            if expected:
                supplied = request.headers.get(CSRF_HEADER)
                ctype = request.headers.get("content-type", "")
                if supplied is None and ctype.startswith("application/x-www-form-urlencoded"):
                    body = await _read_body(receive)
                    if body is None:
                        await _refuse(scope, receive, send, request, 413)
                        return
                    values = parse_qs(body.decode("latin-1")).get(CSRF_FIELD) or [None]
                    supplied = values[0]
                    receive = _replay(body, receive)
                if not any(_matches(token, supplied) for token in expected):
                    await _refuse(scope, receive, send, request, 403)
                    return

        if new_cookie is not None and (
            ctx.method == "trusted_header" or not scope["path"].startswith("/api/")
        ):
            send = _with_cookie(send, csrf_cookie_header(request, new_cookie))
        await self.app(scope, receive, send)


def _well_formed(token: str) -> bool:
    return 20 <= len(token) <= 100 and token.isascii()


def _matches(expected: str | None, supplied: str | None) -> bool:
    if not expected or not supplied:
        return False
    return hmac.compare_digest(expected.encode(), supplied.encode("utf-8", "replace"))


async def _read_body(receive) -> bytes | None:  # noqa: ANN001
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive):  # noqa: ANN001
    done = False

    async def replay():
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_cookie(send, cookie: str):  # noqa: ANN001
    async def wrapped(message):  # noqa: ANN001
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message).append("set-cookie", cookie)
        await send(message)

    return wrapped


async def _refuse(scope, receive, send, request: Request, status: int) -> None:  # noqa: ANN001
    code, message = ("csrf_failed", MESSAGE)
    if status == 413:
        code, message = "too_large", "요청이 너무 큽니다."
    if scope["path"].startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        response = JSONResponse({"detail": {"code": code, "message": message}}, status)
    else:
        response = HTMLResponse(_page(message), status)
    await response(scope, receive, send)


def _page(message: str) -> str:
    return (
        '<!doctype html><html lang="ko"><meta charset="utf-8"><title>요청 거부</title>'
        f'<main style="font-family:sans-serif;padding:2rem"><h1>요청이 거부되었습니다</h1>'
        f'<p role="alert">{message}</p><p><a href="/">처음 화면으로</a></p></main></html>'
    )


def install_security(app) -> None:  # noqa: ANN001 - FastAPI
    """CSRF middleware plus the answers of the page dependencies (login redirect, 403 page)."""
    app.add_middleware(CSRFMiddleware)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        from urllib.parse import quote

        target = "/login" if exc.next_url == "/" else f"/login?next={quote(exc.next_url)}"
        if request.headers.get("HX-Request") == "true":  # an HTMX swap: reload to the login page
            return HTMLResponse("", 401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(PageForbidden)
    async def _page_forbidden(request: Request, exc: PageForbidden):
        from serving.templating import render

        return render(request, "auth/forbidden.html", request.state.principal, status_code=403)


__all__ = ["CSRF_FIELD", "CSRF_HEADER", "CSRFMiddleware", "install_security"]
