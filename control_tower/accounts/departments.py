"""Departments as managed data: users, uploads and filters must name one of these rows."""

from __future__ import annotations

from sqlalchemy import select

from control_tower.accounts.types import AccountError, DepartmentInfo
from control_tower.domain import name_key, now
from control_tower.store.models import DepartmentRow

MAX_NAME = 100


def normalize_department(name: str) -> str:
    """NFKC, trimmed (``name_key``); refuses names unfit for a folder or label (``/``, controls)."""
    clean = name_key(name or "")
    if not clean or len(clean) > MAX_NAME:
        raise AccountError("bad_department", f"부서 이름은 1~{MAX_NAME}자여야 합니다.")
    if any(ch in clean for ch in "/\\") or clean in {".", ".."}:
        raise AccountError("bad_department", "부서 이름에 '/', '\\' 를 쓸 수 없습니다.")
    if any(not ch.isprintable() for ch in clean):
        raise AccountError("bad_department", "부서 이름에 제어 문자를 쓸 수 없습니다.")
    return clean


def ensure_department(store, name: str, *, code: str | None = None) -> DepartmentInfo:  # noqa: ANN001
    """The department called ``name``, created when missing (idempotent)."""
    clean = normalize_department(name)
    with store.begin() as s:
        row = s.get(DepartmentRow, clean)
        if row is None:
            if code and s.scalars(select(DepartmentRow).where(DepartmentRow.code == code)).first():
                raise AccountError("department_code_taken", f"이미 쓰이는 부서 코드입니다: {code}")
            row = DepartmentRow(name=clean, code=code or None, active=True, created_at=now())
            s.add(row)
            s.flush()
        return DepartmentInfo.model_validate(row)


def get_department(store, name: str) -> DepartmentInfo | None:  # noqa: ANN001
    with store.session() as s:
        row = s.get(DepartmentRow, name_key(name or ""))
        return DepartmentInfo.model_validate(row) if row else None


def list_departments(store, *, include_inactive: bool = True) -> list[DepartmentInfo]:  # noqa: ANN001
    q = select(DepartmentRow).order_by(DepartmentRow.name)
    if not include_inactive:
        q = q.where(DepartmentRow.active.is_(True))
    with store.session() as s:
        return [DepartmentInfo.model_validate(r) for r in s.scalars(q)]


def set_department_active(store, name: str, active: bool) -> DepartmentInfo:  # noqa: ANN001
    with store.begin() as s:
        row = s.get(DepartmentRow, name_key(name or ""))
        if row is None:
            raise unknown_department(name)
        row.active = active
        return DepartmentInfo.model_validate(row)


def require_department(s, name: str | None) -> str:  # noqa: ANN001 - an open Session
    """The normalized name of an existing, active department (inside a transaction)."""
    clean = normalize_department(name or "")
    row = s.get(DepartmentRow, clean)
    if row is None:
        raise unknown_department(clean)
    if not row.active:
        raise AccountError("inactive_department", f"사용이 중지된 부서입니다: {clean}")
    return clean


def unknown_department(name: str) -> AccountError:
    return AccountError(
        "unknown_department",
        f"등록되지 않은 부서입니다: '{name}'. 먼저 부서를 등록하세요 "
        f"(ct departments add {name} 또는 관리 화면의 부서 관리).",
    )
