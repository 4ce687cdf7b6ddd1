"""Local accounts: users, departments, argon2id passwords, login lockout, sessions, API keys.

The web layer (``serving/auth.py``, ``serving/csrf.py``, ``serving/routers/auth.py``) and the
CLI (``ct users``, ``ct departments``) are thin layers over these functions.
"""

from control_tower.accounts.apikeys import (
    create_api_key,
    list_api_keys,
    resolve_api_key,
    revoke_api_key,
)
from control_tower.accounts.departments import (
    ensure_department,
    get_department,
    list_departments,
    normalize_department,
    set_department_active,
)
from control_tower.accounts.login import authenticate
from control_tower.accounts.passwords import check_policy, hash_password, verify_password
from control_tower.accounts.sessions import (
    create_session,
    hash_token,
    list_sessions,
    resolve_session,
    revoke_session,
    revoke_token,
    revoke_user_sessions,
)
from control_tower.accounts.types import (
    AccountError,
    ApiKeyInfo,
    DepartmentInfo,
    IssuedApiKey,
    IssuedSession,
    SessionInfo,
    UserInfo,
)
from control_tower.accounts.users import (
    change_password,
    create_user,
    get_user,
    has_admin,
    list_users,
    normalize_username,
    parse_roles,
    reset_password,
    set_disabled,
    update_user,
)

__all__ = [
    "AccountError",
    "ApiKeyInfo",
    "DepartmentInfo",
    "IssuedApiKey",
    "IssuedSession",
    "SessionInfo",
    "UserInfo",
    "authenticate",
    "change_password",
    "check_policy",
    "create_api_key",
    "create_session",
    "create_user",
    "ensure_department",
    "get_department",
    "get_user",
    "has_admin",
    "hash_password",
    "hash_token",
    "list_api_keys",
    "list_departments",
    "list_sessions",
    "list_users",
    "normalize_department",
    "normalize_username",
    "parse_roles",
    "reset_password",
    "resolve_api_key",
    "resolve_session",
    "revoke_api_key",
    "revoke_session",
    "revoke_token",
    "revoke_user_sessions",
    "set_department_active",
    "set_disabled",
    "update_user",
    "verify_password",
]
