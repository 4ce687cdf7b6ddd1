"""Admin actions shared by the JSON API and the form pages, each audited with its target.

Why one layer: the API (``surface="api"``) and the pages (``surface="web"``) must refuse the
same things and leave the same audit trail. Accounts work goes through
``control_tower.accounts`` (hashing, session revocation); refusals are ``AccountError`` with a
Korean message, audited as ``outcome="failed"`` before they are raised.

Events: ``admin.user_create``, ``admin.user_update`` (department / display name),
``admin.role_change``, ``admin.user_disable``, ``admin.user_enable``, ``admin.password_reset``,
``admin.user_unlock``, ``admin.department_add``, ``admin.department_rename``,
``admin.department_activate``, ``admin.department_deactivate``, ``admin.api_key_revoke``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request

from control_tower import accounts, admin_data
from control_tower.accounts.types import AccountError
from control_tower.domain import Principal, Role
from serving.auth_flow import audit
from serving.errors import api_error

T = TypeVar("T")

_STATUS = {
    "unknown_user": 404,
    "unknown_key": 404,
    "unknown_department": 404,
    "user_exists": 409,
    "department_exists": 409,
    "department_code_taken": 409,
    "department_in_use": 409,
}


def http_error(e: AccountError):  # noqa: ANN201 - an HTTPException to raise
    return api_error(_STATUS.get(e.code, 400), e.code, e.message_ko)


def _run(
    request: Request,
    actor: Principal,
    event: str,
    target: str,
    surface: str,
    action: Callable[[], T],
    **details: Any,
) -> T:
    try:
        result = action()
    except AccountError as e:
        audit(
            request,
            actor,
            event,
            surface=surface,
            target=target,
            outcome="failed",
            reason=e.code,
            **details,
        )
        raise
    audit(request, actor, event, surface=surface, target=target, **details)
    return result


def _store(request: Request):  # noqa: ANN202
    return request.app.state.services.store


def create_user(
    request: Request,
    actor: Principal,
    surface: str,
    *,
    username: str,
    department: str,
    roles: list[Role],
    password: str,
    display_name: str | None = None,
):  # noqa: ANN201 - UserInfo
    def act():  # noqa: ANN202
        return accounts.create_user(
            _store(request),
            username,
            department=department,
            roles=roles,
            password=password,
            display_name=display_name,
        )

    return _run(
        request,
        actor,
        "admin.user_create",
        username,
        surface,
        act,
        department=department,
        roles=sorted(r.value for r in roles),
    )


def update_user(
    request: Request,
    actor: Principal,
    surface: str,
    username: str,
    *,
    department: str | None = None,
    roles: list[Role] | None = None,
    display_name: str | None = None,
):  # noqa: ANN201 - UserInfo
    store = _store(request)
    before = accounts.get_user(store, username)
    if before is None:
        raise AccountError("unknown_user", f"없는 사용자입니다: {username}")
    old_roles = sorted(r.value for r in before.roles)
    new_roles = sorted({Role(r).value for r in roles}) if roles is not None else old_roles
    if new_roles != old_roles:

        def change_roles():  # noqa: ANN202
            if before.username == actor.username and Role.admin.value not in new_roles:
                raise AccountError(
                    "self_demote",
                    "자기 자신의 관리자 역할은 없앨 수 없습니다. 다른 관리자에게 요청하세요.",
                )
            return accounts.update_user(store, username, roles=new_roles)

        _run(
            request,
            actor,
            "admin.role_change",
            before.username,
            surface,
            change_roles,
            before=old_roles,
            after=new_roles,
        )
    changes: dict[str, Any] = {}
    if department is not None and department != before.department:
        changes["department"] = {"before": before.department, "after": department}
    if display_name is not None and (display_name.strip() or None) != before.display_name:
        changes["display_name"] = {"before": before.display_name, "after": display_name}
    if changes:

        def change_fields():  # noqa: ANN202
            return accounts.update_user(  # only what changed: an unchanged, since deactivated
                store,  # department must not block a name change
                username,
                department=department if "department" in changes else None,
                display_name=display_name if "display_name" in changes else None,
            )

        _run(
            request, actor, "admin.user_update", before.username, surface, change_fields, **changes
        )
    return accounts.get_user(store, before.username)


def set_disabled(request: Request, actor: Principal, surface: str, username: str, disabled: bool):  # noqa: ANN201 - UserInfo
    def act():  # noqa: ANN202
        if disabled and accounts.normalize_username(username) == actor.username:
            raise AccountError("self_disable", "자기 자신의 계정은 사용 중지할 수 없습니다.")
        return accounts.set_disabled(_store(request), username, disabled)

    event = "admin.user_disable" if disabled else "admin.user_enable"
    return _run(request, actor, event, username, surface, act)


def reset_password(request: Request, actor: Principal, surface: str, username: str, password: str):  # noqa: ANN201 - UserInfo
    return _run(
        request,
        actor,
        "admin.password_reset",
        username,
        surface,
        lambda: accounts.reset_password(_store(request), username, password),
    )


def unlock_user(request: Request, actor: Principal, surface: str, username: str):  # noqa: ANN201
    return _run(
        request,
        actor,
        "admin.user_unlock",
        username,
        surface,
        lambda: admin_data.unlock_user(_store(request), username),
    )


def add_department(
    request: Request, actor: Principal, surface: str, name: str, code: str | None = None
):  # noqa: ANN201 - DepartmentInfo
    def act():  # noqa: ANN202
        store = _store(request)
        if accounts.get_department(store, accounts.normalize_department(name)) is not None:
            raise AccountError("department_exists", f"이미 있는 부서입니다: {name.strip()}")
        return accounts.ensure_department(store, name, code=(code or "").strip() or None)

    return _run(
        request, actor, "admin.department_add", name.strip(), surface, act, code=code or None
    )


def rename_department(request: Request, actor: Principal, surface: str, name: str, new_name: str):  # noqa: ANN201 - DepartmentOverview
    return _run(
        request,
        actor,
        "admin.department_rename",
        name,
        surface,
        lambda: admin_data.rename_department(_store(request), name, new_name),
        new_name=new_name.strip(),
    )


def set_department_active(
    request: Request, actor: Principal, surface: str, name: str, active: bool
):  # noqa: ANN201 - DepartmentInfo
    event = "admin.department_activate" if active else "admin.department_deactivate"
    return _run(
        request,
        actor,
        event,
        name,
        surface,
        lambda: accounts.set_department_active(_store(request), name, active),
    )


def revoke_api_key(request: Request, actor: Principal, surface: str, key_id: str):  # noqa: ANN201
    store = _store(request)
    owner = next((k.username for k in accounts.list_api_keys(store) if k.id == key_id), None)
    return _run(
        request,
        actor,
        "admin.api_key_revoke",
        key_id,
        surface,
        lambda: accounts.revoke_api_key(store, key_id),
        owner=owner,
    )
