"""Password hashing (argon2id) and the password policy.

argon2-cffi's ``PasswordHasher`` defaults are argon2id with RFC 9106 low-memory parameters; a
hash made with older parameters is upgraded at the next successful login (``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from control_tower.accounts.types import AccountError

MIN_LENGTH = 8
MAX_LENGTH = 256  # argon2 would take more, but nobody types more; bounds the work per try

_hasher = PasswordHasher()  # stateless and thread-safe: one per process is enough
# Verified against when the user does not exist, so a wrong name costs the same time as a
# wrong password (no account enumeration by timing).
_DUMMY_HASH = _hasher.hash("control-tower-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        verify_dummy(password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_dummy(password: str) -> None:
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except VerificationError:
        pass


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def check_policy(password: str, *, username: str) -> None:
    """Raise ``AccountError`` with a Korean reason when ``password`` may not be used."""
    if len(password) < MIN_LENGTH:
        raise AccountError("weak_password", f"비밀번호는 {MIN_LENGTH}자 이상이어야 합니다.")
    if len(password) > MAX_LENGTH:
        raise AccountError("weak_password", f"비밀번호는 {MAX_LENGTH}자 이하여야 합니다.")
    if password.strip().casefold() == username.strip().casefold():
        raise AccountError("weak_password", "비밀번호는 아이디와 같을 수 없습니다.")
    if not password.strip():
        raise AccountError("weak_password", "비밀번호가 공백만으로 이루어질 수 없습니다.")
