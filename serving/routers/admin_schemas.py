"""Request and response bodies of the admin JSON API (``/api/v1/admin/…``), published in OpenAPI.

Separate from ``control_tower.accounts.types`` on purpose: the API shows an admin what they
need (lock state, key counts) and never a hash, a session token or a CSRF token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from control_tower.accounts.types import ApiKeyInfo, UserInfo
from control_tower.domain import Role, now
from serving.errors import ERROR_RESPONSES, ErrorResponse

ADMIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    409: {"model": ErrorResponse, "description": "충돌 (이미 있음, 사용 중)"},
}


class AdminUser(BaseModel):
    username: str
    display_name: str | None = None
    department: str | None = None
    roles: list[Role]
    disabled: bool
    locked: bool  # a login lockout is running now
    locked_until: datetime | None = None
    has_password: bool
    created_at: datetime | None = None
    last_login_at: datetime | None = None

    @classmethod
    def of(cls, u: UserInfo) -> AdminUser:
        locked = u.locked_until is not None and u.locked_until > now()
        return cls(
            **u.model_dump(
                include={
                    "username",
                    "display_name",
                    "department",
                    "roles",
                    "disabled",
                    "has_password",
                    "created_at",
                    "last_login_at",
                }
            ),
            locked=locked,
            locked_until=u.locked_until if locked else None,
        )


class UserList(BaseModel):
    users: list[AdminUser]


def _printable(v: str | None) -> str | None:
    if v is not None and any(not ch.isprintable() for ch in v):
        raise ValueError("제어 문자는 쓸 수 없습니다.")
    return v


class UserCreate(BaseModel):
    username: str = Field(..., max_length=64, description="아이디 (글자, 숫자, . _ - @)")
    department: str = Field(..., max_length=100, description="등록된 부서 이름")
    roles: list[Role] = Field(default_factory=lambda: [Role.staff], min_length=1)
    password: str = Field(..., max_length=256, description="처음 비밀번호 (8자 이상)")
    display_name: str | None = Field(None, max_length=200)

    _names = field_validator("username", "department", "display_name")(_printable)


class UserUpdate(BaseModel):
    """Only the given fields change."""

    department: str | None = Field(None, max_length=100)
    roles: list[Role] | None = Field(None, min_length=1)
    display_name: str | None = Field(None, max_length=200)

    _names = field_validator("department", "display_name")(_printable)


class PasswordReset(BaseModel):
    password: str = Field(..., max_length=256, description="새 비밀번호 (8자 이상)")


class Department(BaseModel):
    name: str
    code: str | None = None
    active: bool
    created_at: datetime
    users: int = 0
    documents: int = 0


class DepartmentList(BaseModel):
    departments: list[Department]


class DepartmentCreate(BaseModel):
    name: str = Field(..., max_length=100)
    code: str | None = Field(None, max_length=50)


class DepartmentUpdate(BaseModel):
    """``name``: rename (only while nothing references the department); ``active``: use."""

    name: str | None = Field(None, max_length=100)
    active: bool | None = None


class AdminApiKey(BaseModel):
    id: str
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @classmethod
    def of(cls, k: ApiKeyInfo) -> AdminApiKey:
        return cls(**k.model_dump())


class ApiKeyList(BaseModel):
    api_keys: list[AdminApiKey]


class AuditEventOut(BaseModel):
    id: int | None = None
    at: datetime
    event: str
    outcome: str
    username: str
    department: str | None = None
    authenticated: bool
    surface: str
    target: str | None = None
    ip: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class AuditPage(BaseModel):
    total: int
    page: int
    per_page: int
    events: list[AuditEventOut]  # newest first
