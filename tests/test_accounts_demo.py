"""Demo accounts: every demo user logs in with its role's documented password (README)."""

from __future__ import annotations

import json

from control_tower import accounts
from control_tower.accounts.demo import DEMO_PASSWORDS, demo_password
from control_tower.bootstrap import DEMO_USERS_FILE, ensure_demo_accounts
from control_tower.domain import Role
from control_tower.store.models import UserRow


def test_demo_users_log_in_with_role_passwords(store, settings):
    entries = json.loads(DEMO_USERS_FILE.read_text("utf-8"))["users"]
    assert ensure_demo_accounts(store) == len(entries)
    departments = {d.name for d in accounts.list_departments(store)}
    assert departments == {e["department"] for e in entries} and len(departments) >= 5
    by_role = {
        "admin": "demo-admin-2026",
        "ai_lead": "demo-ai-2026",
        "battery_head": "demo-head-2026",
        "battery_staff": "demo-staff-2026",
        "steel_staff": "demo-staff-2026",
    }
    for username, password in by_role.items():
        assert accounts.authenticate(store, settings, username, password).username == username
    with store.session() as s:
        assert all(r.password_hash.startswith("$argon2id$") for r in s.query(UserRow))
    assert demo_password({Role.staff, Role.ai_division}) == DEMO_PASSWORDS[Role.ai_division]


def test_second_start_is_cheap_and_restores_a_changed_password(store, settings):
    ensure_demo_accounts(store)
    with store.session() as s:  # one hash per role password: a start checks 4, not 32
        assert len({r.password_hash for r in s.query(UserRow)}) == len(DEMO_PASSWORDS)
    assert ensure_demo_accounts(store) == 0  # nothing re-hashed
    accounts.change_password(store, "steel_staff", "demo-staff-2026", "my-own-password")
    assert ensure_demo_accounts(store) == 1
    assert accounts.authenticate(store, settings, "steel_staff", "demo-staff-2026")
