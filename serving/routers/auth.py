"""Account pages: login, logout (here / everywhere), own password, and the one-time setup page
that exists only while no admin does. The JSON API of the same steps is in ``auth_api``.

Forms post with ``csrf_token`` (checked by ``serving/csrf.py`` before these handlers run: the
session's token once signed in, the ``ct_csrf`` double-submit cookie before that).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from control_tower import accounts
from control_tower.accounts.passwords import MIN_LENGTH
from control_tower.accounts.types import AccountError
from control_tower.domain import Principal, Role
from serving import auth_flow
from serving.auth import auth_context, page_principal, safe_next
from serving.cookies import insecure_transport, set_session_cookie
from serving.templating import render

router = APIRouter(include_in_schema=False)

_LOGIN_STATUS = {"locked": 429, "rate_limited": 429, "disabled": 403}


def _login_page(
    request: Request, *, next_url: str, username: str = "", error: str | None = None, status=200
) -> Response:
    services = request.app.state.services
    settings = services.settings
    ctx = {
        "next": next_url,
        "username": username,
        "error": error,
        "insecure": insecure_transport(request),
        "setup_open": not accounts.has_admin(services.store),
        "max_failures": settings.login_max_failures,
        "lockout_minutes": settings.login_lockout_minutes,
    }
    principal = auth_context(request).principal
    return render(request, "auth/login.html", principal, ctx, status_code=status)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query name
    target = safe_next(next)
    if auth_context(request).method == "session":
        return RedirectResponse(target, status_code=303)
    return _login_page(request, next_url=target)


@router.post("/login")
def login_submit(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1024),
    next: str = Form("/"),  # noqa: A002
) -> Response:
    target = safe_next(next)
    response = RedirectResponse(target, status_code=303)
    try:
        auth_flow.log_in(request, response, username, password, surface="web")
    except AccountError as e:
        status = _LOGIN_STATUS.get(e.code, 401)
        return _login_page(
            request, next_url=target, username=username, error=e.message_ko, status=status
        )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    auth_flow.log_out(request, response, everywhere=False, surface="web")
    return response


@router.post("/logout-all")
def logout_all(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    auth_flow.log_out(request, response, everywhere=True, surface="web")
    return response


def _password_page(request, principal, *, error=None, notice=None, status=200) -> Response:  # noqa: ANN001
    ctx = {"error": error, "notice": notice, "min_length": MIN_LENGTH}
    return render(request, "auth/password.html", principal, ctx, status_code=status)


@router.get("/account/password")
@router.get("/password")
def password_page(request: Request, principal: Principal = Depends(page_principal)) -> Response:
    return _password_page(request, principal)


@router.post("/account/password")
@router.post("/password")
def password_submit(
    request: Request,
    current_password: str = Form("", max_length=1024),
    new_password: str = Form("", max_length=1024),
    confirm_password: str = Form("", max_length=1024),
    principal: Principal = Depends(page_principal),
) -> Response:
    try:
        auth_flow.change_password(
            request, current_password, new_password, confirm_password, surface="web"
        )
    except AccountError as e:
        return _password_page(request, principal, error=e.message_ko, status=400)
    notice = "비밀번호를 바꿨습니다. 다른 기기와 브라우저의 로그인은 모두 끝났습니다."
    return _password_page(request, principal, notice=notice)


# --- one-time setup ------------------------------------------------------------------------
def _not_found(request: Request) -> Response:
    principal = auth_context(request).principal
    return render(request, "not_found.html", principal, status_code=404)


def _setup_page(request: Request, form: dict, *, error=None, status=200) -> Response:  # noqa: ANN001
    ctx = {"form": form, "error": error, "min_length": MIN_LENGTH}
    principal = auth_context(request).principal
    return render(request, "auth/setup.html", principal, ctx, status_code=status)


@router.get("/setup")
def setup_page(request: Request) -> Response:
    if accounts.has_admin(request.app.state.services.store):
        return _not_found(request)
    return _setup_page(request, {"username": "", "display_name": "", "department": ""})


@router.post("/setup")
def setup_submit(
    request: Request,
    username: str = Form("", max_length=200),
    display_name: str = Form("", max_length=200),
    department: str = Form("", max_length=200),
    password: str = Form("", max_length=1024),
    confirm_password: str = Form("", max_length=1024),
) -> Response:
    services = request.app.state.services
    store = services.store
    form = {"username": username, "display_name": display_name, "department": department}
    with services.setup_lock:  # check and create as one step
        if accounts.has_admin(store):
            return _not_found(request)
        try:
            name = accounts.normalize_username(username)
            if password != confirm_password:
                raise AccountError("password_mismatch", "비밀번호와 확인이 일치하지 않습니다.")
            accounts.check_policy(password, username=name)
            dept = accounts.ensure_department(store, department)
            user = accounts.create_user(
                store,
                name,
                department=dept.name,
                roles=[Role.admin],
                password=password,
                display_name=display_name,
            )
        except AccountError as e:
            return _setup_page(request, form, error=e.message_ko, status=400)
    issued = accounts.create_session(
        store,
        services.settings,
        user.username,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, request, issued.token)
    auth_flow.audit(request, user.principal(), "admin.setup", surface="web", target=user.username)
    return response
