"""관리 pages: ``/admin`` (overview), ``/admin/departments`` and ``/admin/api-keys`` (the
user pages are in ``admin_users``) — admins only (``page_roles``: anonymous
browsers go to the login page, other users get the 403 page).

Forms post with the session's CSRF token (``csrf_token`` field, checked by the middleware)
and answer with a 303 back to the page and a fixed Korean message (``?done=…``), or re-render
the page with the Korean reason. The work is ``admin_actions`` (shared with the JSON API).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from control_tower import accounts, admin_data
from control_tower.accounts.types import AccountError
from control_tower.domain import Principal, Role
from serving.auth import page_roles
from serving.routers import admin_actions as act
from serving.routers.admin_schemas import AdminApiKey, AdminUser
from serving.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
admin_page = page_roles(Role.admin)
SURFACE = "web"

DONE = {
    "user_create": "사용자를 추가했습니다.",
    "user_update": "사용자 정보를 저장했습니다.",
    "user_disable": "계정을 사용 중지했습니다. 이 사용자의 모든 로그인이 끝났습니다.",
    "user_enable": "계정을 다시 사용하게 했습니다.",
    "password_reset": "비밀번호를 재설정했습니다. 이 사용자의 모든 로그인이 끝났습니다.",
    "user_unlock": "로그인 잠금을 해제했습니다.",
    "department_add": "부서를 추가했습니다.",
    "department_rename": "부서 이름을 바꿨습니다.",
    "department_activate": "부서를 다시 사용하게 했습니다.",
    "department_deactivate": "부서를 사용 중지했습니다.",
    "api_key_revoke": "API 키를 폐기했습니다.",
}


def store_of(request: Request):  # noqa: ANN202
    return request.app.state.services.store


def done_redirect(url: str, done: str, target: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?done={done}&target={quote(target)}", status_code=303)


def done_alerts(done: str, target: str, known: set[str] | None = None) -> list[dict]:
    """The fixed message of ``done``; ``target`` (from the URL) is shown only when it names a
    real user, department or key, so a crafted link cannot put words on an admin page."""
    if done not in DONE:
        return []
    shown = f" ({target})" if target and known is not None and target in known else ""
    return [{"level": "ok", "text": DONE[done] + shown}]


def error_alerts(e: AccountError) -> tuple[list[dict], int]:
    return [{"level": "error", "text": e.message_ko}], act.http_error(e).status_code


def active_departments(request: Request) -> list[str]:
    return [d.name for d in accounts.list_departments(store_of(request), include_inactive=False)]


@router.get("")
def admin_home(request: Request, principal: Principal = Depends(admin_page)) -> Response:
    store = store_of(request)
    users = accounts.list_users(store)
    keys = accounts.list_api_keys(store)
    ctx = {
        "n_users": len(users),
        "n_disabled": sum(u.disabled for u in users),
        "n_locked": sum(AdminUser.of(u).locked for u in users),
        "n_departments": len(accounts.list_departments(store)),
        "n_keys": sum(k.revoked_at is None for k in keys),
    }
    return render(request, "admin/home.html", principal, ctx)


def _departments_page(request, principal, *, alerts=None, status=200, form=None) -> Response:  # noqa: ANN001
    ctx = {
        "departments": admin_data.department_overview(store_of(request)),
        "alerts": alerts or [],
        "form": form or {},
    }
    return render(request, "admin/departments.html", principal, ctx, status_code=status)


@router.get("/departments")
def departments_page(
    request: Request,
    done: str = "",
    target: str = "",
    principal: Principal = Depends(admin_page),
) -> Response:
    known = {d.name for d in accounts.list_departments(store_of(request))}
    return _departments_page(request, principal, alerts=done_alerts(done, target, known))


@router.post("/departments")
def departments_add(
    request: Request,
    name: str = Form(""),
    code: str = Form(""),
    principal: Principal = Depends(admin_page),
) -> Response:
    try:
        info = act.add_department(request, principal, SURFACE, name, code or None)
    except AccountError as e:
        alerts, status = error_alerts(e)
        form = {"name": name, "code": code}
        return _departments_page(request, principal, alerts=alerts, status=status, form=form)
    return done_redirect("/admin/departments", "department_add", info.name)


@router.post("/departments/{name}/{action}")
def departments_action(
    request: Request,
    name: str,
    action: str,
    new_name: str = Form(""),
    principal: Principal = Depends(admin_page),
) -> Response:
    runs = {
        "rename": (
            "department_rename",
            lambda: act.rename_department(request, principal, SURFACE, name, new_name),
        ),
        "activate": (
            "department_activate",
            lambda: act.set_department_active(request, principal, SURFACE, name, True),
        ),
        "deactivate": (
            "department_deactivate",
            lambda: act.set_department_active(request, principal, SURFACE, name, False),
        ),
    }
    if action not in runs:
        return render(request, "not_found.html", principal, status_code=404)
    done, run = runs[action]
    try:
        info = run()
    except AccountError as e:
        alerts, status = error_alerts(e)
        return _departments_page(request, principal, alerts=alerts, status=status)
    return done_redirect("/admin/departments", done, info.name)


@router.get("/api-keys")
def api_keys_page(
    request: Request,
    done: str = "",
    target: str = "",
    principal: Principal = Depends(admin_page),
) -> Response:
    keys = [AdminApiKey.of(k) for k in accounts.list_api_keys(store_of(request))]
    ctx = {"keys": keys, "alerts": done_alerts(done, target, {k.id for k in keys})}
    return render(request, "admin/api_keys.html", principal, ctx)


@router.post("/api-keys/{key_id}/revoke")
def api_keys_revoke(
    request: Request, key_id: str, principal: Principal = Depends(admin_page)
) -> Response:
    try:
        act.revoke_api_key(request, principal, SURFACE, key_id)
    except AccountError as e:
        alerts, status = error_alerts(e)
        keys = [AdminApiKey.of(k) for k in accounts.list_api_keys(store_of(request))]
        ctx = {"keys": keys, "alerts": alerts}
        return render(request, "admin/api_keys.html", principal, ctx, status_code=status)
    return done_redirect("/admin/api-keys", "api_key_revoke", key_id)
