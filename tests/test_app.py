"""The FastAPI app as a whole: probes, UI page, Korean validation errors, auth header."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from control_tower.health import StartupState
from serving.app import create_app
from tests.auth_helpers import login, make_user


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app(settings, monkeypatch):
    settings.llm_port = _closed_port()  # nothing listens: the LLM check must say so
    app = create_app(settings, startup=StartupState(phase="ready", llm_required=False))
    make_user(app.state.services.store, "battery_staff", "배터리산업과", ["staff"])
    return app


def test_healthz_and_ui(app):
    client = TestClient(app)
    assert client.get("/healthz").json() == {"status": "ok"}
    page = client.get("/")  # anonymous: the login page
    assert page.status_code == 200 and "AI 혁신 컨트롤타워" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_readyz_reports_each_part(app):
    client = TestClient(app)
    body = client.get("/readyz").json()
    checks = {c["name"]: c for c in body["checks"]}
    assert checks["database"]["ok"] and checks["index"]["ok"]
    assert not checks["llm"]["ok"] and checks["llm"]["hint"]
    assert body["ready"] is True  # LLM not required in this app

    app.state.startup.llm_required = True
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["ready"] is False


def test_readyz_details_only_for_admins(app, settings):
    anonymous = TestClient(app).get("/readyz").text
    assert str(settings.data_dir) not in anonymous and "sqlite" not in anonymous
    make_user(app.state.services.store, "root", "정보통신과", ["admin"])
    admin = TestClient(app)
    login(admin, "root")
    checks = {c["name"]: c for c in admin.get("/readyz").json()["checks"]}
    assert checks["database"]["detail"] == settings.database_url


def test_readyz_not_ready_while_starting(app):
    app.state.startup.phase = "ingesting-demo"
    assert TestClient(app).get("/readyz").status_code == 503


def test_me_needs_a_login_and_ignores_the_old_header(app):
    client = TestClient(app)
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["detail"]["code"] == "login_required"
    r = client.get("/api/v1/me", headers={"X-CT-User": "battery_staff"})  # forged: ignored
    assert r.status_code == 401 and r.json()["detail"]["message"] == "로그인이 필요합니다."
    csrf = login(client, "battery_staff")
    me = client.get("/api/v1/me").json()
    assert me["department"] == "배터리산업과" and me["roles"] == ["staff"]
    assert me["csrf_token"] == csrf and me["auth_method"] == "session"


def test_validation_errors_are_korean(app):
    client = TestClient(app)
    login(client, "battery_staff")
    r = client.get("/api/v1/search", params={"k": "many"})
    assert r.status_code == 422
    assert "요청 형식이 올바르지 않습니다" in r.json()["detail"]["message"]
