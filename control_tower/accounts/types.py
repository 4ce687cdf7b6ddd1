"""What the accounts functions return: pydantic models, never ORM rows, so callers (routers,
CLI, templates) cannot lazy-load or mutate the database by accident."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from control_tower.domain import Principal, Role


class AccountError(Exception):
    """A refusal with a stable code and a Korean message for people.

    ``retry_after_s`` is set for lockouts and rate limits (seconds until the next try may work).
    """

    def __init__(self, code: str, message_ko: str, *, retry_after_s: int | None = None):
        super().__init__(message_ko)
        self.code = code
        self.message_ko = message_ko
        self.retry_after_s = retry_after_s
        self.just_locked = False  # set on the failed login that started a lockout


class UserInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str | None = None
    department: str | None = None
    roles: list[Role]
    disabled: bool = False
    has_password: bool = False
    locked_until: datetime | None = None
    created_at: datetime | None = None
    last_login_at: datetime | None = None
    password_changed_at: datetime | None = None

    def principal(self) -> Principal:
        return Principal(username=self.username, department=self.department, roles=set(self.roles))


class DepartmentInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    code: str | None = None
    active: bool = True
    created_at: datetime


class SessionInfo(BaseModel):
    """A live session as the server sees it (``id`` is the SHA-256 of the cookie token)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None = None
    user_agent: str | None = None


class IssuedSession(BaseModel):
    """A new session: ``token`` goes into the cookie and is never stored."""

    token: str
    session: SessionInfo


class ApiKeyInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class IssuedApiKey(BaseModel):
    """A new API key: ``key`` is shown to its owner once and never stored."""

    key: str
    info: ApiKeyInfo
