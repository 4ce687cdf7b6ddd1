"""관리 pages for users: ``/admin/users`` (list + add) and ``/admin/users/{username}``
(department, roles, disable/enable, password reset, unlock, the user's API keys) — admins
only. Shared form mechanics (CSRF field, 303 + fixed message, Korean errors) are in
``admin_pages``.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from control_tower import accounts
from control_tower.accounts.types import AccountError
from control_tower.domain import Principal, Role
from serving.routers import admin_actions as act
from serving.routers.admin_labels import ROLE_LABELS
from serving.routers.admin_pages import (
    SURFACE,
    active_departments,
    admin_page,
    done_alerts,
    done_redirect,
    error_alerts,
    store_of,
)
from serving.routers.admin_schemas import AdminApiKey, AdminUser
from serving.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)


def _users_page(request, principal, *, form=None, alerts=None, status=200) -> Response:  # noqa: ANN001
    users = [AdminUser.of(u) for u in accounts.list_users(store_of(request))]
    ctx = {
        "users": users,
        "departments": active_departments(request),
        "roles": ROLE_LABELS,
        "form": form or {"roles": [Role.staff.value]},
        "alerts": alerts or [],
    }
    return render(request, "admin/users.html", principal, ctx, status_code=status)


@router.get("/users")
def users_page(
    request: Request,
    done: str = "",
    target: str = "",
    principal: Principal = Depends(admin_page),
) -> Response:
    known = {u.username for u in accounts.list_users(store_of(request))}
    return _users_page(request, principal, alerts=done_alerts(done, target, known))


@router.post("/users")
def users_create(
    request: Request,
    username: str = Form(""),
    display_name: str = Form(""),
    department: str = Form(""),
    roles: list[str] = Form(default=[]),
    password: str = Form(""),
    principal: Principal = Depends(admin_page),
) -> Response:
    form = {
        "username": username,
        "display_name": display_name,
        "department": department,
        "roles": roles,
    }
    try:
        user = act.create_user(
            request,
            principal,
            SURFACE,
            username=username,
            department=department,
            roles=accounts.parse_roles(roles),
            password=password,
            display_name=display_name or None,
        )
    except AccountError as e:
        alerts, status = error_alerts(e)
        return _users_page(request, principal, form=form, alerts=alerts, status=status)
    return done_redirect("/admin/users", "user_create", user.username)


def _user_page(request, principal, username, *, alerts=None, status=200) -> Response:  # noqa: ANN001
    store = store_of(request)
    user = accounts.get_user(store, username)
    if user is None:
        return render(request, "not_found.html", principal, status_code=404)
    ctx = {
        "user": AdminUser.of(user),
        "departments": sorted({*active_departments(request), user.department or ""} - {""}),
        "roles": ROLE_LABELS,
        "keys": [AdminApiKey.of(k) for k in accounts.list_api_keys(store, user.username)],
        "alerts": alerts or [],
        "is_self": user.username == principal.username,
    }
    return render(request, "admin/user.html", principal, ctx, status_code=status)


@router.get("/users/{username}")
def user_page(
    request: Request,
    username: str,
    done: str = "",
    target: str = "",
    principal: Principal = Depends(admin_page),
) -> Response:
    return _user_page(request, principal, username, alerts=done_alerts(done, ""))


def _user_post(request, principal, username, done: str, run) -> Response:  # noqa: ANN001
    try:
        user = run()
    except AccountError as e:
        alerts, status = error_alerts(e)
        return _user_page(request, principal, username, alerts=alerts, status=status)
    return done_redirect(f"/admin/users/{quote(user.username)}", done, "")


@router.post("/users/{username}")
def user_update(
    request: Request,
    username: str,
    display_name: str = Form(""),
    department: str = Form(""),
    roles: list[str] = Form(default=[]),
    principal: Principal = Depends(admin_page),
) -> Response:
    def run():  # noqa: ANN202
        return act.update_user(
            request,
            principal,
            SURFACE,
            username,
            department=department or None,
            roles=accounts.parse_roles(roles),
            display_name=display_name,
        )

    return _user_post(request, principal, username, "user_update", run)


@router.post("/users/{username}/{action}")
def user_action(
    request: Request,
    username: str,
    action: str,
    password: str = Form(""),
    principal: Principal = Depends(admin_page),
) -> Response:
    runs = {
        "disable": (
            "user_disable",
            lambda: act.set_disabled(request, principal, SURFACE, username, True),
        ),
        "enable": (
            "user_enable",
            lambda: act.set_disabled(request, principal, SURFACE, username, False),
        ),
        "unlock": ("user_unlock", lambda: act.unlock_user(request, principal, SURFACE, username)),
        "password": (
            "password_reset",
            lambda: act.reset_password(request, principal, SURFACE, username, password),
        ),
    }
    if action not in runs:
        return render(request, "not_found.html", principal, status_code=404)
    done, run = runs[action]
    return _user_post(request, principal, username, done, run)
