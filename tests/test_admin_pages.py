"""Admin pages (/admin/…) in Korean on a real app: login redirect for anonymous browsers, the
403 page for non-admins, forms that need the session's CSRF token, and the same effects
and audit events as the API (an admin adds a user who can then log in, disable, roles,
departments, API keys)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from control_tower import accounts
from control_tower.audit import AuditFilter, AuditLog
from serving.app import create_app
from tests.auth_helpers import PASSWORD, api_key, login, make_user

DEPT_A = "교통정책과"
DEPT_B = "복지정책과"


@pytest.fixture
def app(settings):
    app = create_app(settings)
    store = app.state.services.store
    make_user(store, "root", "정보통신과", ["admin"])
    make_user(store, "kim", DEPT_A, ["staff"])
    make_user(store, "ai", DEPT_B, ["ai_division"])
    accounts.ensure_department(store, DEPT_B)
    return app


def browser(app, username: str | None = None) -> tuple[TestClient, str]:
    c = TestClient(app, follow_redirects=False)
    csrf = login(c, username) if username else ""
    return c, csrf


def admin_pages(app) -> list[tuple[str, str]]:
    out = []
    for r in iter_route_contexts(app.routes):
        if r.path == "/admin" or r.path.startswith("/admin/"):
            out += [(m, r.path) for m in sorted((r.methods or set()) - {"HEAD"})]
    return out


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "kim", path)


def audited(app, event: str) -> list:
    return AuditLog(app.state.services.store).query(AuditFilter(event=event))


def test_admin_pages_need_login_then_the_admin_role(app):
    pages = admin_pages(app)
    assert ("GET", "/admin/users") in pages and (
        "POST",
        "/admin/users/{username}/{action}",
    ) in pages
    anon, _ = browser(app)
    for method, path in pages:
        if method == "GET":
            r = anon.get(_fill(path))
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    for who in ("kim", "ai"):
        c, csrf = browser(app, who)
        for method, path in pages:
            r = c.request(method, _fill(path), data={"csrf_token": csrf, "password": "x" * 12})
            assert r.status_code == 403, (who, method, path, r.status_code)
            if method == "GET":
                assert "권한이 없습니다" in r.text
    assert accounts.get_user(app.state.services.store, "kim").disabled is False
    assert audited(app, "admin.") == []


def test_admin_pages_render_in_korean_with_nav_and_tabs(app):
    c, _ = browser(app, "root")
    for path, heading in [
        ("/admin", "관리"),
        ("/admin/users", "사용자 관리"),
        ("/admin/users/kim", "사용자 kim"),
        ("/admin/departments", "부서 관리"),
        ("/admin/api-keys", "API 키 관리"),
        ("/admin/audit", "감사 로그"),
    ]:
        r = c.get(path)
        assert r.status_code == 200, path
        assert f"<h1>{heading}</h1>" in r.text
        assert 'data-testid="nav-admin"' in r.text and 'data-testid="admin-tab-users"' in r.text
        assert 'lang="ko"' in r.text
    users = c.get("/admin/users").text
    assert 'data-username="kim"' in users and DEPT_A in users and "직원" in users
    assert c.get("/admin/users/nobody").status_code == 404


def test_admin_adds_user_by_form_who_can_log_in(app):
    c, csrf = browser(app, "root")
    form = {
        "csrf_token": csrf,
        "username": "lee",
        "display_name": "이순신",
        "department": DEPT_B,
        "roles": ["staff", "dept_head"],
        "password": "lee-password-2026",
    }
    r = c.post("/admin/users", data=form)
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/users?done=")
    page = c.get(r.headers["location"]).text
    assert "사용자를 추가했습니다. (lee)" in page and 'data-username="lee"' in page
    spoof = c.get(
        "/admin/users", params={"done": "user_create", "target": "관리자 공지: 위조"}
    ).text
    assert "사용자를 추가했습니다." in spoof and "위조" not in spoof  # no text from the URL
    login(TestClient(app), "lee", "lee-password-2026")
    user = accounts.get_user(app.state.services.store, "lee")
    assert [r.value for r in user.roles] == ["staff", "dept_head"]
    (ev,) = audited(app, "admin.user_create")
    assert (ev.surface, ev.target) == ("web", "lee")


def test_form_errors_show_korean_reason_and_keep_input(app):
    c, csrf = browser(app, "root")
    form = {"csrf_token": csrf, "username": "kim", "department": DEPT_A, "roles": ["staff"]}
    r = c.post("/admin/users", data=form | {"password": PASSWORD, "display_name": "김두번"})
    assert r.status_code == 409 and "이미 있는 아이디입니다" in r.text and "김두번" in r.text
    r = c.post("/admin/users", data=form | {"username": "new2", "password": "short"})
    assert r.status_code == 400 and "alert-error" in r.text
    r = c.post("/admin/users", data=form | {"username": "new3", "password": PASSWORD, "roles": []})
    assert r.status_code == 400 and "역할을 하나 이상" in r.text
    assert accounts.get_user(app.state.services.store, "new2") is None


def test_forms_without_csrf_token_are_refused(app):
    c, _ = browser(app, "root")
    r = c.post("/admin/users/kim/disable", data={}, headers={"accept": "text/html"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = c.post("/admin/users/kim/disable", data={"csrf_token": "x" * 40})
    assert r.status_code == 403
    assert accounts.get_user(app.state.services.store, "kim").disabled is False


def test_disable_enable_role_change_and_reset_by_form(app):
    store = app.state.services.store
    c, csrf = browser(app, "root")
    r = c.post("/admin/users/kim/disable", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/users/kim?done=")
    assert "계정을 사용 중지했습니다" in c.get(r.headers["location"]).text
    bad = TestClient(app).post("/api/v1/auth/login", json={"username": "kim", "password": PASSWORD})
    assert bad.status_code in (401, 403)
    c.post("/admin/users/kim/enable", data={"csrf_token": csrf})
    kim, _ = browser(app, "kim")
    assert kim.get("/usage").status_code == 403
    form = {"csrf_token": csrf, "department": DEPT_B, "roles": ["staff", "ai_division"]}
    assert c.post("/admin/users/kim", data=form | {"display_name": "김민수"}).status_code == 303
    assert kim.get("/usage").status_code == 200  # takes effect in the same session
    user = accounts.get_user(store, "kim")
    assert (user.department, user.display_name) == (DEPT_B, "김민수")
    r = c.post("/admin/users/kim/password", data={"csrf_token": csrf, "password": "reset-2026-pw"})
    assert r.status_code == 303
    assert kim.get("/usage").status_code == 303  # sessions ended: back to login
    login(TestClient(app), "kim", "reset-2026-pw")
    r = c.post("/admin/users/root/disable", data={"csrf_token": csrf})
    assert r.status_code == 400 and "자기 자신의 계정" in r.text
    events = [e.event for e in reversed(audited(app, "admin."))]
    assert events == [
        "admin.user_disable",
        "admin.user_enable",
        "admin.role_change",
        "admin.user_update",
        "admin.password_reset",
        "admin.user_disable",
    ]


def test_departments_by_form(app):
    c, csrf = browser(app, "root")
    r = c.post("/admin/departments", data={"csrf_token": csrf, "name": "배터리산업과"})
    assert r.status_code == 303
    page = c.get("/admin/departments").text
    assert 'data-department="배터리산업과"' in page
    r = c.post(
        "/admin/departments/배터리산업과/rename",
        data={"csrf_token": csrf, "new_name": "이차전지산업과"},
    )
    assert r.status_code == 303
    r = c.post(f"/admin/departments/{DEPT_A}/rename", data={"csrf_token": csrf, "new_name": "x과"})
    assert r.status_code == 409 and "이름을 바꿀 수 없습니다" in r.text
    r = c.post(f"/admin/departments/{DEPT_A}/deactivate", data={"csrf_token": csrf})
    assert r.status_code == 303
    assert accounts.get_department(app.state.services.store, DEPT_A).active is False
    assert 'data-department="이차전지산업과"' in c.get("/admin/departments").text


def test_api_keys_page_lists_all_and_revokes(app):
    store = app.state.services.store
    headers = api_key(store, "kim", "보고서 자동화")
    c, csrf = browser(app, "root")
    page = c.get("/admin/api-keys").text
    assert "보고서 자동화" in page and "kim" in page
    assert headers["Authorization"].split()[1] not in page
    (key,) = accounts.list_api_keys(store)
    r = c.post(f"/admin/api-keys/{key.id}/revoke", data={"csrf_token": csrf})
    assert r.status_code == 303
    assert TestClient(app).get("/api/v1/me", headers=headers).status_code == 401
    assert "폐기됨" in c.get("/admin/api-keys").text
    (ev,) = audited(app, "admin.api_key_revoke")
    assert ev.details["owner"] == "kim" and ev.surface == "web"
