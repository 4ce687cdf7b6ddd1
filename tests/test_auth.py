"""Login, logout, rotation, expiry, lockout, password change, setup page and API keys over
HTTP, against the real app and a real SQLite store."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from control_tower.audit import AuditLog
from control_tower.domain import now
from control_tower.store.models import SessionRow, UserRow
from serving.app import create_app
from tests.auth_helpers import PASSWORD, login, make_user


@pytest.fixture
def app(settings):
    app = create_app(settings)
    make_user(app.state.services.store, "kim", "교통정책과", ["staff"], display_name="김민지")
    return app


@pytest.fixture
def store(app):
    return app.state.services.store


def _events(store) -> list[tuple[str, str, str]]:
    return [(e.event, e.username, e.outcome) for e in AuditLog(store).read()]


def _form_token(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def _form_login(client, username="kim", password=PASSWORD, next_url="/"):
    token = _form_token(client.get("/login").text)
    form = {"username": username, "password": password, "next": next_url, "csrf_token": token}
    return client.post("/login", data=form, follow_redirects=False)


def test_form_login_sets_a_hardened_cookie_and_redirects(app, store):
    client = TestClient(app)
    r = _form_login(client, next_url="/search?q=주차")
    assert r.status_code == 303 and unquote(r.headers["location"]) == "/search?q=주차"
    cookie = r.headers["set-cookie"].lower()
    assert "ct_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    me = client.get("/api/v1/me").json()
    assert me["username"] == "kim" and me["display_name"] == "김민지"
    with store.session() as s:
        token = client.cookies["ct_session"]
        assert s.get(SessionRow, token) is None  # only the hash is stored
        assert s.query(SessionRow).count() == 1
    assert ("login", "kim", "ok") in _events(store)


def test_secure_flag_off_on_loopback_and_on_elsewhere(settings):
    r = TestClient(create_app(settings)).get("/login")
    assert "secure" not in r.headers["set-cookie"].lower()
    app = create_app(settings.model_copy(update={"host": "0.0.0.0"}))
    r = TestClient(app, base_url="https://ct.city.go.kr").get("/login")
    assert "; secure" in r.headers["set-cookie"].lower()
    page = TestClient(app, base_url="http://ct.city.go.kr").get("/login")
    assert "https 주소로 접속" in page.text  # would loop silently without the warning
    forced = create_app(settings.model_copy(update={"session_cookie_secure": True}))
    assert "; secure" in TestClient(forced).get("/login").headers["set-cookie"].lower()


def test_wrong_password_rerenders_in_korean(app, store):
    client = TestClient(app)
    r = _form_login(client, password="wrong-password")
    assert r.status_code == 401 and "아이디 또는 비밀번호가 올바르지 않습니다" in r.text
    assert 'value="kim"' in r.text and "ct_session" not in client.cookies
    assert ("login_failed", "kim", "failed") in _events(store)


def test_next_cannot_redirect_off_site(app):
    for evil in ("//evil.example", "https://evil.example/", "/\\evil.example", "evil", "/\t/x"):
        client = TestClient(app)
        r = _form_login(client, next_url=evil)
        assert r.status_code == 303 and r.headers["location"] == "/", evil


def test_session_rotated_at_login(app, store):
    client = TestClient(app)
    csrf = login(client, "kim")
    old = client.cookies["ct_session"]
    r = client.post(
        "/api/v1/auth/login",
        json={"username": "kim", "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200 and r.json()["csrf_token"] != csrf
    new = client.cookies["ct_session"]
    assert new != old
    assert TestClient(app, cookies={"ct_session": old}).get("/api/v1/me").status_code == 401
    assert TestClient(app, cookies={"ct_session": new}).get("/api/v1/me").status_code == 200
    with store.session() as s:
        assert s.query(SessionRow).count() == 1


def test_logout_kills_the_session(app, store):
    client = TestClient(app)
    csrf = login(client, "kim")
    token = client.cookies["ct_session"]
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert TestClient(app, cookies={"ct_session": token}).get("/api/v1/me").status_code == 401
    assert ("logout", "kim", "ok") in _events(store)
    client = TestClient(app)
    csrf = login(client, "kim")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_logout_everywhere(app, store):
    a, b = TestClient(app), TestClient(app)
    login(a, "kim")
    csrf_b = login(b, "kim")
    r = b.post("/logout-all", data={"csrf_token": csrf_b}, follow_redirects=False)
    assert r.status_code == 303
    assert a.get("/api/v1/me").status_code == 401 and b.get("/api/v1/me").status_code == 401
    assert ("logout_all", "kim", "ok") in _events(store)


def test_idle_and_absolute_expiry(app, store, settings):
    client = TestClient(app)
    login(client, "kim")
    with store.begin() as s:
        row = s.query(SessionRow).one()
        row.last_seen_at = now() - timedelta(minutes=settings.session_idle_minutes + 1)
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/account/password", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")

    client = TestClient(app)
    login(client, "kim")
    with store.begin() as s:  # active a minute ago, but the absolute lifetime is over
        row = s.query(SessionRow).one()
        row.created_at = now() - timedelta(hours=settings.session_absolute_hours, minutes=1)
        row.expires_at = now() - timedelta(minutes=1)
        row.last_seen_at = now() - timedelta(minutes=1)
    assert client.get("/api/v1/me").status_code == 401


def test_lockout_message_and_it_lifts(app, store, settings):
    client = TestClient(app)
    for _ in range(settings.login_max_failures - 1):
        assert _form_login(client, password="wrong-pass").status_code == 401
    r = _form_login(client, password="wrong-pass")
    assert r.status_code == 429
    assert f"계정이 잠겼습니다. {settings.login_lockout_minutes}분 후에 다시 시도하세요" in r.text
    r = client.post("/api/v1/auth/login", json={"username": "kim", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["detail"]["code"] == "locked"
    assert int(r.headers["retry-after"]) > 0
    assert ("account_locked", "kim", "denied") in _events(store)
    with store.begin() as s:
        s.get(UserRow, "kim").locked_until = now() - timedelta(seconds=1)
    assert _form_login(client).status_code == 303


def test_disabled_user_is_never_a_principal(app, store):
    from control_tower.accounts import set_disabled

    client = TestClient(app)
    login(client, "kim")
    with store.begin() as s:  # disabled behind the service's back: still refused
        s.get(UserRow, "kim").disabled = True
    assert client.get("/api/v1/me").status_code == 401
    set_disabled(store, "kim", False)
    r = client.post("/api/v1/auth/login", json={"username": "kim", "password": PASSWORD})
    assert r.status_code == 200
    set_disabled(store, "kim", True)
    r = client.post("/api/v1/auth/login", json={"username": "kim", "password": PASSWORD})
    assert r.status_code in (401, 403)


def test_json_login_needs_json(app):
    r = TestClient(app).post(
        "/api/v1/auth/login",
        content=json.dumps({"username": "kim", "password": PASSWORD}),
        headers={"Content-Type": "text/plain"},
    )
    assert r.status_code in (415, 422)


def test_password_change_page_revokes_other_sessions(app, store):
    other = TestClient(app)
    login(other, "kim")
    client = TestClient(app)
    login(client, "kim")
    page = client.get("/account/password")
    assert page.status_code == 200 and "현재 비밀번호" in page.text
    token = _form_token(page.text)
    form = {
        "csrf_token": token,
        "current_password": PASSWORD,
        "new_password": "short",
        "confirm_password": "short",
    }
    r = client.post("/account/password", data=form)
    assert r.status_code == 400 and "8자 이상" in r.text
    form |= {"new_password": "new-password-9", "confirm_password": "new-password-9"}
    r = client.post("/account/password", data=form)
    assert r.status_code == 200 and "비밀번호를 바꿨습니다" in r.text
    assert client.get("/api/v1/me").status_code == 200  # this browser stays signed in
    assert other.get("/api/v1/me").status_code == 401  # every other one is out
    assert ("password_change", "kim", "ok") in _events(store)
    r = TestClient(app).post(
        "/api/v1/auth/login", json={"username": "kim", "password": "new-password-9"}
    )
    assert r.status_code == 200


def test_password_change_api(app):
    client = TestClient(app)
    csrf = login(client, "kim")
    h = {"X-CSRF-Token": csrf}
    body = {"current_password": "not-it-at-all", "new_password": "new-password-9"}
    r = client.post("/api/v1/me/password", json=body, headers=h)
    assert r.status_code == 400 and r.json()["detail"]["code"] == "wrong_password"
    body = {"current_password": PASSWORD, "new_password": "kim"}
    r = client.post("/api/v1/me/password", json=body, headers=h)
    assert r.status_code == 400 and "8자" in r.json()["detail"]["message"]
    body = {"current_password": PASSWORD, "new_password": "new-password-9"}
    assert client.post("/api/v1/me/password", json=body, headers=h).status_code == 204


def test_api_key_lifecycle(app, store):
    client = TestClient(app)
    csrf = login(client, "kim")
    r = client.post("/api/v1/me/api-keys", json={"name": "보고서"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    key, key_id = r.json()["key"], r.json()["info"]["id"]
    assert key.startswith(f"ct_{key_id}_")
    listed = client.get("/api/v1/me/api-keys").json()["keys"]
    assert [k["id"] for k in listed] == [key_id] and "key" not in listed[0]

    bearer = TestClient(app, headers={"Authorization": f"Bearer {key}"})
    me = bearer.get("/api/v1/me").json()
    assert me["username"] == "kim" and me["auth_method"] == "api_key" and me["csrf_token"] is None
    assert bearer.post("/api/v1/me/api-keys", json={"name": "x"}).status_code == 403
    # a bad key is refused even next to a good session cookie
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer ct_nope_nope"})
    assert r.status_code == 401 and r.json()["detail"]["code"] == "invalid_api_key"
    # Bearer requests need no CSRF token
    assert bearer.delete(f"/api/v1/me/api-keys/{key_id}").status_code == 200
    r = bearer.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["detail"]["code"] == "invalid_api_key"
    events = _events(store)
    assert ("api_key_create", "kim", "ok") in events and ("api_key_revoke", "kim", "ok") in events


def test_setup_page_exists_only_until_an_admin_does(app, store):
    client = TestClient(app)
    assert "첫 관리자 계정 만들기" in client.get("/login").text
    page = client.get("/setup")
    assert page.status_code == 200
    form = {
        "csrf_token": _form_token(page.text),
        "username": "root",
        "display_name": "관리자",
        "department": "정보통신과",
        "password": "admin-password-1",
        "confirm_password": "admin-password-2",
    }
    r = client.post("/setup", data=form, follow_redirects=False)
    assert r.status_code == 400 and "일치하지 않습니다" in r.text
    form["confirm_password"] = form["password"]
    assert client.post("/setup", data=form | {"csrf_token": "x" * 43}).status_code == 403
    r = client.post("/setup", data=form, follow_redirects=False)
    assert r.status_code == 303
    me = client.get("/api/v1/me").json()
    assert me["username"] == "root" and me["roles"] == ["admin"]
    assert TestClient(app).get("/setup").status_code == 404
    assert TestClient(app).post("/setup", data=form).status_code in (403, 404)
    assert "첫 관리자 계정" not in TestClient(app).get("/login").text
    assert ("admin.setup", "root", "ok") in _events(store)


def test_two_setup_submissions_at_once_create_one_admin(app, store):
    import threading

    from control_tower.accounts import list_users

    clients = [TestClient(app) for _ in range(4)]
    forms = []
    for i, c in enumerate(clients):
        page = c.get("/setup")
        forms.append(
            {
                "csrf_token": _form_token(page.text),
                "username": f"root{i}",
                "display_name": "관리자",
                "department": "정보통신과",
                "password": "admin-password-1",
                "confirm_password": "admin-password-1",
            }
        )
    codes: list[int] = []
    threads = [
        threading.Thread(
            target=lambda c=c, f=f: codes.append(
                c.post("/setup", data=f, follow_redirects=False).status_code
            )
        )
        for c, f in zip(clients, forms, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [303, 404, 404, 404]
    assert len([u for u in list_users(store) if "admin" in {r.value for r in u.roles}]) == 1
