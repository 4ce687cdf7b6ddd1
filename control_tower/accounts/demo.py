"""Demo accounts for `ct serve --demo`: every demo user gets the documented demo password of
its role, and its department exists in ``departments``.

Runs on every start, so it must be cheap: argon2 work is done once per distinct password (all
demo users of a role share one hash string) and once per distinct stored hash to check it
still verifies. A demo user whose password was changed gets the documented one back, so the
README's logins always work — demo data only, never for a real city.
"""

from __future__ import annotations

from collections.abc import Iterable

from control_tower.accounts import passwords
from control_tower.accounts.departments import ensure_department
from control_tower.accounts.users import normalize_username, parse_roles
from control_tower.domain import Role, now
from control_tower.store.models import UserRow

# The strongest role decides the password (ai_lead is staff + ai_division: the AI password).
DEMO_PASSWORDS: dict[Role, str] = {
    Role.admin: "demo-admin-2026",
    Role.ai_division: "demo-ai-2026",
    Role.dept_head: "demo-head-2026",
    Role.staff: "demo-staff-2026",
}


def demo_password(roles: Iterable[Role]) -> str:
    held = set(roles)
    return next(pw for role, pw in DEMO_PASSWORDS.items() if role in held or role is Role.staff)


def ensure_demo_users(store, entries: Iterable[dict]) -> int:  # noqa: ANN001
    """Upsert demo users (``username``, ``department``, ``roles``, ``display_name``); returns
    how many passwords had to be (re)set."""
    items = []
    for e in entries:
        roles = parse_roles(e.get("roles") or ["staff"])
        dept = ensure_department(store, e["department"]).name
        items.append((normalize_username(e["username"]), dept, roles, e.get("display_name")))
    hashes: dict[str, str] = {}  # password -> the one hash string for it
    verified: dict[tuple[str, str], bool] = {}  # (stored hash, password) -> verifies
    changed = 0
    with store.begin() as s:
        for username, dept, roles, display_name in items:
            pw = demo_password(roles)
            row = s.get(UserRow, username)
            if row is None:
                row = UserRow(username=username, created_at=now(), failed_logins=0)
                s.add(row)
            row.department, row.roles = dept, [r.value for r in roles]
            if display_name:
                row.display_name = display_name
            stored = row.password_hash
            if stored and stored == hashes.get(pw):
                continue
            if stored and (stored, pw) not in verified:
                verified[(stored, pw)] = passwords.verify_password(stored, pw)
            if stored and verified[(stored, pw)]:
                hashes.setdefault(pw, stored)
                continue
            if pw not in hashes:
                hashes[pw] = passwords.hash_password(pw)
            row.password_hash = hashes[pw]
            row.password_changed_at = now()
            changed += 1
    return changed
