"""Per-user API keys for scripts and other systems: ``ct_<id>_<secret>``.

The key is shown to its owner once; only its SHA-256 is stored (a fast hash is right here: the
secret is 256 random bits, not a password people choose). A key acts as its user, with the
user's current roles, and dies with the user (disable) or by revocation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from control_tower.accounts.sessions import TOUCH_EVERY
from control_tower.accounts.types import AccountError, ApiKeyInfo, IssuedApiKey, UserInfo
from control_tower.accounts.users import user_info
from control_tower.domain import now
from control_tower.store.models import ApiKeyRow, UserRow

PREFIX = "ct_"
MAX_NAME = 100


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(store, username: str, name: str) -> IssuedApiKey:  # noqa: ANN001
    label = (name or "").strip()
    if not label or len(label) > MAX_NAME:
        raise AccountError("bad_key_name", f"API 키 이름은 1~{MAX_NAME}자여야 합니다.")
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    with store.begin() as s:
        if s.get(UserRow, username) is None:
            raise AccountError("unknown_user", f"없는 사용자입니다: {username}")
        row = ApiKeyRow(
            id=key_id, username=username, name=label, key_hash=_hash(key), created_at=now()
        )
        s.add(row)
        s.flush()
        return IssuedApiKey(key=key, info=ApiKeyInfo.model_validate(row))


def list_api_keys(store, username: str | None = None) -> list[ApiKeyInfo]:  # noqa: ANN001
    """Keys of ``username`` (all users' keys when None: the admin page), newest first."""
    q = select(ApiKeyRow).order_by(ApiKeyRow.created_at.desc())
    if username is not None:
        q = q.where(ApiKeyRow.username == username)
    with store.session() as s:
        return [ApiKeyInfo.model_validate(r) for r in s.scalars(q)]


def revoke_api_key(store, key_id: str, *, username: str | None = None) -> ApiKeyInfo:  # noqa: ANN001
    """Revoke a key. With ``username`` only that user's key (a user revoking their own)."""
    with store.begin() as s:
        row = s.get(ApiKeyRow, key_id)
        if row is None or (username is not None and row.username != username):
            raise AccountError("unknown_key", "없는 API 키입니다.")
        if row.revoked_at is None:
            row.revoked_at = now()
        return ApiKeyInfo.model_validate(row)


def resolve_api_key(store, key: str | None) -> tuple[ApiKeyInfo, UserInfo] | None:  # noqa: ANN001
    """The live key and its enabled user behind a presented key, or None."""
    if not key or not key.startswith(PREFIX) or len(key) > 200:
        return None
    key_id, sep, _secret = key[len(PREFIX) :].partition("_")
    if not sep or not key_id:
        return None
    ts = now()
    with store.session() as s:
        row = s.get(ApiKeyRow, key_id)
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.key_hash, _hash(key)):
            return None
        user = s.get(UserRow, row.username)
        if user is None or user.disabled:
            return None
        info, uinfo = ApiKeyInfo.model_validate(row), user_info(user)
    if info.last_used_at is None or ts - info.last_used_at >= TOUCH_EVERY:
        with store.begin() as s:
            live = s.get(ApiKeyRow, key_id)
            if live is not None:
                live.last_used_at = ts
        info = info.model_copy(update={"last_used_at": ts})
    return info, uinfo
