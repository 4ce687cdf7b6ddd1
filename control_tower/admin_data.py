"""What the admin pages need beyond the accounts functions: department overview with counts,
a rename that refuses while anything references the name, and unlocking a locked account.

Why here and not in ``control_tower/accounts``: these read documents and jobs as well as
accounts (counts per department), and they exist for the admin screens only. Creating users,
passwords, roles and API keys stay in ``control_tower.accounts`` (one hashing path).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select

from control_tower.accounts import AccountError
from control_tower.accounts.departments import normalize_department, unknown_department
from control_tower.accounts.users import user_info
from control_tower.domain import nfc
from control_tower.store.models import DepartmentRow, DocumentRow, JobRow, UserRow


class DepartmentOverview(BaseModel):
    name: str
    code: str | None = None
    active: bool = True
    created_at: datetime
    users: int = 0
    documents: int = 0


def department_overview(store) -> list[DepartmentOverview]:  # noqa: ANN001
    """Every department with how many users and documents name it (inactive ones included)."""
    with store.session() as s:
        users = dict(
            s.execute(select(UserRow.department, func.count()).group_by(UserRow.department)).all()
        )
        docs = dict(
            s.execute(
                select(DocumentRow.department, func.count()).group_by(DocumentRow.department)
            ).all()
        )
        rows = list(s.scalars(select(DepartmentRow).order_by(DepartmentRow.name)))
        return [
            DepartmentOverview(
                name=r.name,
                code=r.code,
                active=bool(r.active),
                created_at=r.created_at,
                users=users.get(r.name, 0),
                documents=docs.get(r.name, 0),
            )
            for r in rows
        ]


def department_references(s, name: str) -> int:  # noqa: ANN001 - an open Session
    """How many users, documents (owner or restricted allow-list) and jobs name ``name``."""
    n = s.scalar(select(func.count()).where(UserRow.department == name)) or 0
    n += s.scalar(select(func.count()).where(DocumentRow.department == name)) or 0
    n += s.scalar(select(func.count()).where(JobRow.department == name)) or 0
    lists = s.scalars(
        select(DocumentRow.allowed_departments).where(DocumentRow.access_level == "restricted")
    )
    n += sum(1 for allowed in lists if name in (allowed or []))
    return n


def rename_department(store, old: str, new: str) -> DepartmentOverview:  # noqa: ANN001
    """Rename a department nobody references yet (a typo fixed right after adding it).

    A name in use is part of documents' access metadata in the indexes as well as of rows
    here; renaming it silently would change who may read what, so it is refused and the
    admin deactivates the old department instead.
    """
    old_name = nfc(old or "").strip()
    new_name = normalize_department(new)
    with store.begin() as s:
        row = s.get(DepartmentRow, old_name)
        if row is None:
            raise unknown_department(old_name)
        if new_name == old_name:
            raise AccountError("same_name", "새 이름이 지금 이름과 같습니다.")
        if s.get(DepartmentRow, new_name) is not None:
            raise AccountError("department_exists", f"이미 있는 부서입니다: {new_name}")
        used = department_references(s, old_name)
        if used:
            raise AccountError(
                "department_in_use",
                f"'{old_name}' 부서는 사용자·문서·작업 {used}건이 참조하고 있어 이름을 바꿀 수 "
                "없습니다. 새 부서를 추가하고 이 부서는 사용 중지하세요.",
            )
        renamed = DepartmentRow(
            name=new_name, code=row.code, active=row.active, created_at=row.created_at
        )
        s.delete(row)
        s.flush()
        s.add(renamed)
        s.flush()
        return DepartmentOverview(
            name=renamed.name,
            code=renamed.code,
            active=bool(renamed.active),
            created_at=renamed.created_at,
        )


def unlock_user(store, username: str):  # noqa: ANN001, ANN201 - returns accounts.UserInfo
    """Lift a login lockout now (the user asked the admin instead of waiting it out)."""
    with store.begin() as s:
        row = s.get(UserRow, nfc(username or "").strip())
        if row is None:
            raise AccountError("unknown_user", f"없는 사용자입니다: {username}")
        row.failed_logins = 0
        row.locked_until = None
        return user_info(row)
