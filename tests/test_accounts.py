"""control_tower.accounts on a real SQLite store: hashes, policy, lockout, sessions, keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from control_tower import accounts
from control_tower.accounts import AccountError
from control_tower.domain import Role, now
from control_tower.store.models import LoginFailureRow, SessionRow, UserRow
from tests.auth_helpers import PASSWORD, make_user


@pytest.fixture
def kim(store):
    return make_user(store, "kim", "교통정책과", ["staff"])


def _err(fn, *a, **kw) -> AccountError:
    with pytest.raises(AccountError) as e:
        fn(*a, **kw)
    return e.value


def test_hash_at_rest_is_argon2id(store, kim):
    with store.session() as s:
        stored = s.get(UserRow, "kim").password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert kim.has_password and kim.roles == [Role.staff]


def test_create_user_checks_department_role_and_password(store):
    e = _err(accounts.create_user, store, "lee", department="없는과", roles=["staff"])
    assert e.code == "unknown_department" and "ct departments add" in e.message_ko
    accounts.ensure_department(store, "복지정책과")
    e = _err(accounts.create_user, store, "lee", department="복지정책과", roles=["boss"])
    assert e.code == "unknown_role" and "dept_head" in e.message_ko
    e = _err(
        accounts.create_user,
        store,
        "lee",
        department="복지정책과",
        roles=["staff"],
        password="짧다",
    )
    assert e.code == "weak_password" and "8자" in e.message_ko
    e = _err(
        accounts.create_user,
        store,
        "leeleelee",
        department="복지정책과",
        roles=["staff"],
        password="LeeLeeLee",
    )
    assert "아이디와 같을 수 없습니다" in e.message_ko
    e = _err(accounts.create_user, store, "a b", department="복지정책과", roles=["staff"])
    assert e.code == "bad_username"
    accounts.create_user(store, "이순신", department="복지정책과", roles=["staff", "dept_head"])
    e = _err(accounts.create_user, store, "이순신", department="복지정책과", roles=["staff"])
    assert e.code == "user_exists"
    assert accounts.get_user(store, "이순신").roles == [Role.staff, Role.dept_head]


def test_departments_are_managed_data(store):
    a = accounts.ensure_department(store, "배터리산업과", code="B01")
    assert accounts.ensure_department(store, "배터리산업과") == a  # idempotent
    assert [d.name for d in accounts.list_departments(store)] == ["배터리산업과"]
    assert _err(accounts.ensure_department, store, "가짜/배터리산업과").code == "bad_department"
    accounts.set_department_active(store, "배터리산업과", False)
    e = _err(accounts.create_user, store, "x1", department="배터리산업과", roles=["staff"])
    assert e.code == "inactive_department"


def test_authenticate_and_generic_failure(store, settings, kim):
    assert accounts.authenticate(store, settings, "kim", PASSWORD, ip="1.2.3.4").username == "kim"
    wrong = _err(accounts.authenticate, store, settings, "kim", "nope-nope", ip="1.2.3.4")
    ghost = _err(accounts.authenticate, store, settings, "ghost", "nope-nope", ip="1.2.3.4")
    assert wrong.code == ghost.code == "invalid_credentials"
    assert wrong.message_ko == ghost.message_ko  # no account enumeration


def test_lockout_after_n_failures_and_it_lifts(store, settings, kim):
    n = settings.login_max_failures
    for _ in range(n - 1):
        assert _err(accounts.authenticate, store, settings, "kim", "bad-pass").code == (
            "invalid_credentials"
        )
    e = _err(accounts.authenticate, store, settings, "kim", "bad-pass")
    assert e.code == "locked" and f"{settings.login_lockout_minutes}분 후에" in e.message_ko
    # locked: even the right password is refused, with the minutes left
    e = _err(accounts.authenticate, store, settings, "kim", PASSWORD)
    assert e.code == "locked" and "계정이 잠겼습니다" in e.message_ko
    with store.begin() as s:  # the lockout window passes
        s.get(UserRow, "kim").locked_until = now() - timedelta(seconds=1)
    assert accounts.authenticate(store, settings, "kim", PASSWORD).username == "kim"
    with store.session() as s:
        assert s.get(UserRow, "kim").failed_logins == 0


def test_per_address_rate_limit(store, settings, kim):
    settings = settings.model_copy(update={"login_ip_max_failures": 3})
    for name in ("a1", "a2", "a3"):  # different accounts, same address
        _err(accounts.authenticate, store, settings, name, "whatever1", ip="9.9.9.9")
    e = _err(accounts.authenticate, store, settings, "kim", PASSWORD, ip="9.9.9.9")
    assert e.code == "rate_limited" and "분 후에" in e.message_ko
    assert accounts.authenticate(store, settings, "kim", PASSWORD, ip="8.8.8.8")
    with store.begin() as s:  # the window passes
        for row in s.query(LoginFailureRow):
            row.at = now() - timedelta(minutes=settings.login_ip_window_minutes + 1)
    assert accounts.authenticate(store, settings, "kim", PASSWORD, ip="9.9.9.9")


def test_disabled_user_cannot_log_in_and_loses_sessions(store, settings, kim):
    issued = accounts.create_session(store, settings, "kim")
    accounts.set_disabled(store, "kim", True)
    assert accounts.resolve_session(store, settings, issued.token) is None
    assert _err(accounts.authenticate, store, settings, "kim", PASSWORD).code == "disabled"
    accounts.set_disabled(store, "kim", False)
    assert accounts.authenticate(store, settings, "kim", PASSWORD)


def test_session_expiry_idle_and_absolute(store, settings, kim):
    a = accounts.create_session(store, settings, "kim")
    assert a.session.id == accounts.hash_token(a.token) and a.token not in a.session.id
    assert accounts.resolve_session(store, settings, a.token)[1].username == "kim"
    with store.begin() as s:
        s.get(SessionRow, a.session.id).last_seen_at = now() - timedelta(
            minutes=settings.session_idle_minutes + 1
        )
    assert accounts.resolve_session(store, settings, a.token) is None
    b = accounts.create_session(store, settings, "kim")
    with store.begin() as s:  # used a minute ago, but logged in 12 h ago
        row = s.get(SessionRow, b.session.id)
        row.expires_at = now() - timedelta(seconds=1)
    assert accounts.resolve_session(store, settings, b.token) is None


def test_session_touch_at_most_once_a_minute(store, settings, kim):
    a = accounts.create_session(store, settings, "kim")
    old = now() - timedelta(minutes=5)
    with store.begin() as s:
        s.get(SessionRow, a.session.id).last_seen_at = old
    seen = accounts.resolve_session(store, settings, a.token)[0].last_seen_at
    assert seen > old + timedelta(minutes=4)
    with store.session() as s:
        first = s.get(SessionRow, a.session.id).last_seen_at
    accounts.resolve_session(store, settings, a.token)
    with store.session() as s:
        assert s.get(SessionRow, a.session.id).last_seen_at == first


def test_rotation_and_password_change_revokes_others(store, settings, kim):
    a = accounts.create_session(store, settings, "kim")
    b = accounts.create_session(store, settings, "kim", replaces=a.token)
    assert accounts.resolve_session(store, settings, a.token) is None
    c = accounts.create_session(store, settings, "kim")
    e = _err(accounts.change_password, store, "kim", "wrong-old", "new-password-1")
    assert e.code == "wrong_password"
    accounts.change_password(store, "kim", PASSWORD, "new-password-1", keep_session=b.session.id)
    assert accounts.resolve_session(store, settings, b.token) is not None
    assert accounts.resolve_session(store, settings, c.token) is None
    assert accounts.authenticate(store, settings, "kim", "new-password-1")
    accounts.reset_password(store, "kim", "reset-password-2")
    assert accounts.resolve_session(store, settings, b.token) is None
    assert accounts.revoke_user_sessions(store, "kim") == 0


def test_api_keys(store, kim):
    issued = accounts.create_api_key(store, "kim", "보고서 스크립트")
    assert issued.key.startswith(f"ct_{issued.info.id}_")
    with store.session() as s:
        from control_tower.store.models import ApiKeyRow

        row = s.get(ApiKeyRow, issued.info.id)
        assert issued.key not in (row.key_hash, row.id, row.name) and len(row.key_hash) == 64
    key, user = accounts.resolve_api_key(store, issued.key)
    assert user.username == "kim" and key.last_used_at is not None
    assert accounts.resolve_api_key(store, issued.key[:-2] + "xx") is None
    assert [k.id for k in accounts.list_api_keys(store, "kim")] == [issued.info.id]
    make_user(store, "park", "복지정책과")
    assert _err(accounts.revoke_api_key, store, issued.info.id, username="park").code == (
        "unknown_key"
    )
    accounts.revoke_api_key(store, issued.info.id, username="kim")
    assert accounts.resolve_api_key(store, issued.key) is None
