"""Admin JSON API: users, departments and API keys (``/api/v1/admin/…``, admins only).

Every route depends on ``require_roles(Role.admin)``: anonymous callers get 401, signed-in
non-admins 403, before any work. Each change is audited by ``admin_actions``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from control_tower import accounts, admin_data
from control_tower.accounts.departments import unknown_department
from control_tower.accounts.types import AccountError
from control_tower.domain import Principal, Role
from serving.auth import require_roles
from serving.routers import admin_actions as act
from serving.routers.admin_schemas import (
    ADMIN_RESPONSES,
    AdminApiKey,
    AdminUser,
    ApiKeyList,
    Department,
    DepartmentCreate,
    DepartmentList,
    DepartmentUpdate,
    PasswordReset,
    UserCreate,
    UserList,
    UserUpdate,
)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=ADMIN_RESPONSES)
admin_only = require_roles(Role.admin)
SURFACE = "api"


def _store(request: Request):  # noqa: ANN202
    return request.app.state.services.store


def _department(request: Request, name: str) -> Department:
    for d in admin_data.department_overview(_store(request)):
        if d.name == name:
            return Department(**d.model_dump())
    raise act.http_error(unknown_department(name))


@router.get("/users", response_model=UserList, summary="사용자 목록")
def list_users(request: Request, _: Principal = Depends(admin_only)) -> UserList:
    return UserList(users=[AdminUser.of(u) for u in accounts.list_users(_store(request))])


@router.post("/users", response_model=AdminUser, status_code=201, summary="사용자 추가")
def create_user(
    body: UserCreate, request: Request, actor: Principal = Depends(admin_only)
) -> AdminUser:
    try:
        user = act.create_user(request, actor, SURFACE, **body.model_dump())
    except AccountError as e:
        raise act.http_error(e) from None
    return AdminUser.of(user)


@router.get("/users/{username}", response_model=AdminUser, summary="사용자 정보")
def get_user(username: str, request: Request, _: Principal = Depends(admin_only)) -> AdminUser:
    user = accounts.get_user(_store(request), username)
    if user is None:
        raise act.http_error(AccountError("unknown_user", f"없는 사용자입니다: {username}"))
    return AdminUser.of(user)


@router.patch("/users/{username}", response_model=AdminUser, summary="부서·역할·이름 변경")
def update_user(
    username: str, body: UserUpdate, request: Request, actor: Principal = Depends(admin_only)
) -> AdminUser:
    try:
        user = act.update_user(request, actor, SURFACE, username, **body.model_dump())
    except AccountError as e:
        raise act.http_error(e) from None
    return AdminUser.of(user)


def _user_action(request: Request, actor: Principal, run) -> AdminUser:  # noqa: ANN001
    try:
        return AdminUser.of(run(request, actor, SURFACE))
    except AccountError as e:
        raise act.http_error(e) from None


@router.post("/users/{username}/disable", response_model=AdminUser, summary="사용 중지")
def disable_user(username: str, request: Request, actor: Principal = Depends(admin_only)):
    return _user_action(request, actor, lambda r, a, s: act.set_disabled(r, a, s, username, True))


@router.post("/users/{username}/enable", response_model=AdminUser, summary="다시 사용")
def enable_user(username: str, request: Request, actor: Principal = Depends(admin_only)):
    return _user_action(request, actor, lambda r, a, s: act.set_disabled(r, a, s, username, False))


@router.post("/users/{username}/unlock", response_model=AdminUser, summary="잠금 해제")
def unlock_user(username: str, request: Request, actor: Principal = Depends(admin_only)):
    return _user_action(request, actor, lambda r, a, s: act.unlock_user(r, a, s, username))


@router.post("/users/{username}/password", response_model=AdminUser, summary="비밀번호 재설정")
def reset_password(
    username: str, body: PasswordReset, request: Request, actor: Principal = Depends(admin_only)
):
    return _user_action(
        request, actor, lambda r, a, s: act.reset_password(r, a, s, username, body.password)
    )


@router.get("/departments", response_model=DepartmentList, summary="부서 목록 (사용자·문서 수)")
def list_departments(request: Request, _: Principal = Depends(admin_only)) -> DepartmentList:
    rows = admin_data.department_overview(_store(request))
    return DepartmentList(departments=[Department(**d.model_dump()) for d in rows])


@router.post("/departments", response_model=Department, status_code=201, summary="부서 추가")
def add_department(
    body: DepartmentCreate, request: Request, actor: Principal = Depends(admin_only)
) -> Department:
    try:
        info = act.add_department(request, actor, SURFACE, body.name, body.code)
    except AccountError as e:
        raise act.http_error(e) from None
    return _department(request, info.name)


@router.patch("/departments/{name}", response_model=Department, summary="부서 이름 변경·사용 여부")
def update_department(
    name: str, body: DepartmentUpdate, request: Request, actor: Principal = Depends(admin_only)
) -> Department:
    try:
        if body.name is not None:
            name = act.rename_department(request, actor, SURFACE, name, body.name).name
        if body.active is not None:
            name = act.set_department_active(request, actor, SURFACE, name, body.active).name
    except AccountError as e:
        raise act.http_error(e) from None
    return _department(request, name)


@router.get("/api-keys", response_model=ApiKeyList, summary="모든 사용자의 API 키")
def list_api_keys(request: Request, _: Principal = Depends(admin_only)) -> ApiKeyList:
    keys = accounts.list_api_keys(_store(request))
    return ApiKeyList(api_keys=[AdminApiKey.of(k) for k in keys])


@router.post("/api-keys/{key_id}/revoke", response_model=AdminApiKey, summary="API 키 폐기")
def revoke_api_key(
    key_id: str, request: Request, actor: Principal = Depends(admin_only)
) -> AdminApiKey:
    try:
        return AdminApiKey.of(act.revoke_api_key(request, actor, SURFACE, key_id))
    except AccountError as e:
        raise act.http_error(e) from None
