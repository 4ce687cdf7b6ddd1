"""Admin JSON API (/api/v1/admin/…) on a real app with real SQLite and real sessions:
access on every route, users (add → can log in, disable → cannot, role change takes effect,
reset, unlock), departments (counts, rename only when unreferenced), API keys, and the
audit trail every admin action leaves."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from control_tower.audit import AuditFilter, AuditLog
from control_tower.domain import now
from control_tower.store.models import UserRow
from serving.app import create_app
from tests.auth_helpers import PASSWORD, api_key, login, make_user

ADMIN_DEPT = "정보통신과"
DEPT_A = "교통정책과"
DEPT_B = "복지정책과"


@pytest.fixture
def app(settings):
    app = create_app(settings)
    store = app.state.services.store
    make_user(store, "root", ADMIN_DEPT, ["admin"])
    make_user(store, "kim", DEPT_A, ["staff"])
    make_user(store, "boss", DEPT_A, ["dept_head"])
    make_user(store, "ai", DEPT_B, ["ai_division"])
    return app


def client_for(app, username: str) -> tuple[TestClient, dict]:
    c = TestClient(app)
    csrf = login(c, username)
    return c, {"X-CSRF-Token": csrf}


def admin_routes(app) -> list[tuple[str, str]]:
    out = []
    for r in iter_route_contexts(app.routes):
        if r.path.startswith("/api/v1/admin"):
            out += [(m, r.path) for m in sorted((r.methods or set()) - {"HEAD"})]
    return out


def events(app, prefix: str = "admin.") -> list:
    """Audited admin actions whose name starts with ``prefix``, newest first."""
    found = AuditLog(app.state.services.store).query(AuditFilter(event="admin."), limit=1000)
    return [e for e in found if e.event.startswith(prefix)]


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "kim", path)


def test_every_admin_route_refuses_anonymous_and_non_admins(app):
    routes = admin_routes(app)
    assert len(routes) >= 14, routes
    anon = TestClient(app)
    for method, path in routes:
        r = anon.request(method, _fill(path), headers={"X-CT-User": "root"})
        assert r.status_code == 401, (method, path, r.status_code)
    for who in ("kim", "boss", "ai"):
        c, h = client_for(app, who)
        for method, path in routes:
            r = c.request(method, _fill(path), headers=h, json={})
            assert r.status_code == 403, (who, method, path, r.status_code, r.text[:200])
            assert r.json()["detail"]["code"] == "forbidden"
    # an API key of a non-admin is refused the same way
    r = TestClient(app).get("/api/v1/admin/users", headers=api_key(app.state.services.store, "kim"))
    assert r.status_code == 403
    assert events(app) == []  # nothing happened, nothing audited as an admin action


def test_admin_adds_user_who_can_then_log_in(app):
    c, h = client_for(app, "root")
    body = {
        "username": "이영희",
        "department": DEPT_B,
        "roles": ["staff", "dept_head"],
        "password": "처음-비밀번호-2026",
        "display_name": "이영희 주무관",
    }
    r = c.post("/api/v1/admin/users", json=body, headers=h)
    assert r.status_code == 201, r.text
    u = r.json()
    assert u["username"] == "이영희" and u["department"] == DEPT_B
    assert u["roles"] == ["staff", "dept_head"] and u["has_password"] and not u["disabled"]
    assert "처음-비밀번호-2026" not in r.text and "argon2" not in r.text
    me = TestClient(app)
    login(me, "이영희", "처음-비밀번호-2026")
    assert me.get("/api/v1/me").json()["department"] == DEPT_B
    (ev,) = events(app, "admin.user_create")
    assert (ev.username, ev.target, ev.outcome) == ("root", "이영희", "ok")
    assert ev.details["roles"] == ["dept_head", "staff"]
    assert "처음-비밀번호-2026" not in str(ev.model_dump())
    listed = c.get("/api/v1/admin/users").json()["users"]
    assert [x["username"] for x in listed] == sorted(["root", "kim", "boss", "ai", "이영희"])


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"username": "kim"}, 409, "user_exists"),
        ({"department": "없는과"}, 404, "unknown_department"),
        ({"password": "short"}, 400, None),
        ({"username": "a/b"}, 400, "bad_username"),
        ({"roles": ["superuser"]}, 422, "validation_error"),
        ({"display_name": "김\x00민수"}, 422, "validation_error"),
    ],
)
def test_bad_user_creation_is_refused_in_korean_and_audited(app, body, status, code):
    c, h = client_for(app, "root")
    full = {"username": "new1", "department": DEPT_A, "password": PASSWORD} | body
    r = c.post("/api/v1/admin/users", json=full, headers=h)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert not detail["message"].isascii()  # Korean
    if code:
        assert detail["code"] == code
    if status != 422:
        (ev,) = events(app, "admin.user_create")
        assert ev.outcome == "failed" and ev.details["reason"] == detail["code"]


def test_disable_ends_sessions_and_login_enable_restores(app):
    c, h = client_for(app, "root")
    kim, _ = client_for(app, "kim")
    assert kim.get("/api/v1/me").status_code == 200
    r = c.post("/api/v1/admin/users/kim/disable", headers=h)
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert kim.get("/api/v1/me").status_code == 401  # the live session died
    r = TestClient(app).post("/api/v1/auth/login", json={"username": "kim", "password": PASSWORD})
    assert r.status_code in (401, 403) and not r.json()["detail"]["message"].isascii()
    assert c.post("/api/v1/admin/users/kim/enable", headers=h).json()["disabled"] is False
    login(TestClient(app), "kim")
    names = [e.event for e in reversed(events(app))]
    assert names == ["admin.user_disable", "admin.user_enable"]
    assert all(e.target == "kim" for e in events(app))


def test_admin_cannot_disable_or_demote_self(app):
    c, h = client_for(app, "root")
    r = c.post("/api/v1/admin/users/root/disable", headers=h)
    assert r.status_code == 400 and r.json()["detail"]["code"] == "self_disable"
    r = c.patch("/api/v1/admin/users/root", json={"roles": ["staff"]}, headers=h)
    assert r.status_code == 400 and r.json()["detail"]["code"] == "self_demote"
    assert c.get("/api/v1/admin/users").status_code == 200  # still admin
    assert {e.outcome for e in events(app)} == {"failed"}


def test_role_change_takes_effect_at_once(app):
    c, h = client_for(app, "root")
    kim, kh = client_for(app, "kim")
    assert kim.get("/api/v1/usage").status_code == 403
    r = c.patch("/api/v1/admin/users/kim", json={"roles": ["staff", "ai_division"]}, headers=h)
    assert r.status_code == 200 and r.json()["roles"] == ["staff", "ai_division"]
    assert kim.get("/api/v1/usage").status_code == 200  # same session, new role
    assert kim.get("/api/v1/admin/users").status_code == 403
    c.patch("/api/v1/admin/users/kim", json={"roles": ["admin"]}, headers=h)
    assert kim.get("/api/v1/admin/users").status_code == 200
    (ev2, ev1) = events(app, "admin.role_change")
    assert ev1.details == {"before": ["staff"], "after": ["ai_division", "staff"]}
    assert ev2.details["after"] == ["admin"] and ev2.target == "kim"


def test_department_change_and_unchanged_fields_not_audited(app):
    c, h = client_for(app, "root")
    r = c.patch("/api/v1/admin/users/kim", json={"department": DEPT_B}, headers=h)
    assert r.status_code == 200 and r.json()["department"] == DEPT_B
    c.patch("/api/v1/admin/users/kim", json={"department": DEPT_B, "roles": ["staff"]}, headers=h)
    (ev,) = events(app)
    assert ev.event == "admin.user_update"
    assert ev.details["department"] == {"before": DEPT_A, "after": DEPT_B}
    r = c.patch("/api/v1/admin/users/kim", json={"department": "없는과"}, headers=h)
    assert r.status_code == 404


def test_password_reset_and_unlock(app):
    store = app.state.services.store
    c, h = client_for(app, "root")
    kim, _ = client_for(app, "kim")
    kim_key = api_key(store, "kim")
    assert TestClient(app).get("/api/v1/me", headers=kim_key).status_code == 200
    r = c.post("/api/v1/admin/users/kim/password", json={"password": "new-secret-2026"}, headers=h)
    assert r.status_code == 200
    assert kim.get("/api/v1/me").status_code == 401  # sessions ended
    assert TestClient(app).get("/api/v1/me", headers=kim_key).status_code == 401  # keys too
    bad = TestClient(app).post("/api/v1/auth/login", json={"username": "kim", "password": PASSWORD})
    assert bad.status_code == 401
    login(TestClient(app), "kim", "new-secret-2026")
    with store.begin() as s:
        s.get(UserRow, "kim").locked_until = now() + timedelta(minutes=30)
    listed = {u["username"]: u for u in c.get("/api/v1/admin/users").json()["users"]}
    assert listed["kim"]["locked"] is True and listed["boss"]["locked"] is False
    r = c.post("/api/v1/admin/users/kim/unlock", headers=h)
    assert r.status_code == 200 and r.json()["locked"] is False
    login(TestClient(app), "kim", "new-secret-2026")
    assert [e.event for e in reversed(events(app))] == ["admin.password_reset", "admin.user_unlock"]
    assert "new-secret-2026" not in str([e.model_dump() for e in events(app)])
    assert c.post("/api/v1/admin/users/nobody/unlock", headers=h).status_code == 404


def test_departments_counts_add_rename_deactivate(app):
    c, h = client_for(app, "root")
    depts = {d["name"]: d for d in c.get("/api/v1/admin/departments").json()["departments"]}
    assert depts[DEPT_A]["users"] == 2 and depts[DEPT_A]["documents"] == 0
    r = c.post("/api/v1/admin/departments", json={"name": " 배터리산업과 "}, headers=h)
    assert r.status_code == 201 and r.json()["name"] == "배터리산업과"
    r = c.post("/api/v1/admin/departments", json={"name": "배터리산업과"}, headers=h)
    assert r.status_code == 409
    r = c.post("/api/v1/admin/departments", json={"name": "가짜/배터리산업과"}, headers=h)
    assert r.status_code == 400
    r = c.patch(
        "/api/v1/admin/departments/배터리산업과", json={"name": "이차전지산업과"}, headers=h
    )
    assert r.status_code == 200 and r.json()["name"] == "이차전지산업과"
    r = c.patch(f"/api/v1/admin/departments/{DEPT_A}", json={"name": "교통과"}, headers=h)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "department_in_use"
    r = c.patch(f"/api/v1/admin/departments/{DEPT_A}", json={"active": False}, headers=h)
    assert r.status_code == 200 and r.json()["active"] is False
    r = c.patch("/api/v1/admin/users/ai", json={"department": DEPT_A}, headers=h)
    assert r.status_code == 400 and r.json()["detail"]["code"] == "inactive_department"
    # kim stays in the deactivated department; a name change still works (as the form sends it)
    r = c.patch(
        "/api/v1/admin/users/kim", json={"department": DEPT_A, "display_name": "김"}, headers=h
    )
    assert r.status_code == 200 and r.json()["display_name"] == "김"
    names = [e.event for e in reversed(events(app, "admin.department"))]
    assert names == [
        "admin.department_add",
        "admin.department_add",
        "admin.department_add",
        "admin.department_rename",
        "admin.department_rename",
        "admin.department_deactivate",
    ]
    outcomes = [e.outcome for e in reversed(events(app, "admin.department"))]
    assert outcomes == ["ok", "failed", "failed", "ok", "failed", "ok"]


def test_department_counts_include_documents(app):
    from tests.admin_fixtures import add_document

    store = app.state.services.store
    add_document(store, "doc-1", DEPT_B)
    add_document(store, "doc-2", DEPT_B)
    c, h = client_for(app, "root")
    depts = {d["name"]: d for d in c.get("/api/v1/admin/departments").json()["departments"]}
    assert (depts[DEPT_B]["users"], depts[DEPT_B]["documents"]) == (1, 2)


def test_api_keys_listed_with_owner_and_revoked(app):
    store = app.state.services.store
    headers = api_key(store, "kim", "통계 스크립트")
    assert TestClient(app).get("/api/v1/me", headers=headers).status_code == 200
    c, h = client_for(app, "root")
    (k,) = c.get("/api/v1/admin/api-keys").json()["api_keys"]
    assert (k["username"], k["name"], k["revoked_at"]) == ("kim", "통계 스크립트", None)
    assert k["last_used_at"] is not None
    assert "key_hash" not in k and headers["Authorization"].split()[1] not in str(k)
    r = c.post(f"/api/v1/admin/api-keys/{k['id']}/revoke", headers=h)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    assert TestClient(app).get("/api/v1/me", headers=headers).status_code == 401
    (ev,) = events(app, "admin.api_key_revoke")
    assert ev.target == k["id"] and ev.details["owner"] == "kim"
    assert c.post("/api/v1/admin/api-keys/nope/revoke", headers=h).status_code == 404


def test_writes_without_csrf_token_are_refused(app):
    c, _ = client_for(app, "root")
    r = c.post("/api/v1/admin/users/kim/disable")
    assert r.status_code == 403 and r.json()["detail"]["code"] == "csrf_failed"
    assert c.get("/api/v1/admin/users/kim").json()["disabled"] is False


def test_admin_api_is_in_openapi_with_error_shapes(app):
    spec = TestClient(app).get("/api/openapi.json").json()
    op = spec["paths"]["/api/v1/admin/users"]["post"]
    assert {"401", "403", "409", "422"} <= set(op["responses"])
    assert "/api/v1/admin/audit" in spec["paths"] and "/api/v1/usage" in spec["paths"]
    assert "/admin/users" not in spec["paths"]  # pages are not API
