"""Who may call what: every /api/v1 route refuses anonymous callers, the old ``X-CT-User``
header is ignored, and the trusted-header mode works only when configured AND from the proxy."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from control_tower.accounts import set_disabled
from serving.app import create_app
from tests.auth_helpers import login, make_user

PUBLIC_API = {("POST", "/api/v1/auth/login")}  # health probes live outside /api/v1
PUBLIC_PAGES = {"/login", "/setup", "/healthz", "/readyz", "/api/docs", "/redoc"}
FORGED = {"X-CT-User": "admin", "X-Remote-User": "admin"}


@pytest.fixture
def app(settings):
    app = create_app(settings)
    store = app.state.services.store
    make_user(store, "admin", "정보통신과", ["admin"])
    make_user(store, "kim", "교통정책과", ["staff"])
    return app


def _routes(app):
    for r in iter_route_contexts(app.routes):
        for method in sorted((r.methods or set()) - {"HEAD"}):
            yield method, r.path


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_every_api_route_refuses_anonymous_and_forged_callers(app):
    client = TestClient(app)
    api = [(m, p) for m, p in _routes(app) if p.startswith("/api/v1")]
    assert len(api) >= 10  # the enumeration really sees the included routers
    for method, path in api:
        if (method, path) in PUBLIC_API:
            continue
        for headers in ({}, FORGED):
            r = client.request(method, _fill(path), headers=headers)
            assert r.status_code == 401, (method, path, r.status_code, r.text[:200])
            body = r.json()["detail"]
            assert body["code"] == "login_required" and body["message"] == "로그인이 필요합니다."


def test_every_openai_route_wants_an_api_key(app):
    """The OpenAI-compatible routes answer in OpenAI's error shape, and a login cookie's
    forged headers are no key."""
    client = TestClient(app)
    api = [(m, p) for m, p in _routes(app) if p.startswith("/v1/")]
    assert {("GET", "/v1/models"), ("POST", "/v1/chat/completions")} <= set(api)
    for method, path in api:
        for headers in ({}, FORGED, {"Authorization": "Bearer ct_forged"}):
            r = client.request(method, path, headers=headers)
            assert r.status_code == 401, (method, path, r.status_code, r.text[:200])
            assert r.json()["error"]["code"] in {"missing_api_key", "invalid_api_key"}
            assert r.headers["www-authenticate"] == "Bearer"


def test_every_page_sends_anonymous_and_forged_callers_to_login(app):
    client = TestClient(app)
    pages = [
        p
        for m, p in _routes(app)
        if m == "GET"
        and not p.startswith(("/api/", "/v1/", "/static", "/docs"))
        and p not in PUBLIC_PAGES
    ]
    assert "/account/password" in pages
    for path in pages:
        r = client.get(_fill(path), headers=FORGED, follow_redirects=False)
        assert r.status_code == 303, (path, r.status_code)
        assert r.headers["location"].startswith("/login"), path
    page = client.get("/account/password", headers=FORGED)  # followed: the login form
    assert page.status_code == 200 and 'action="/login"' in page.text


def test_forged_header_on_a_write_is_refused(app):
    r = TestClient(app).post("/api/v1/me/api-keys", json={"name": "x"}, headers=FORGED)
    assert r.status_code == 401


def _trusted(settings, proxies=("10.0.0.0/24",), header="X-Remote-User"):
    settings = settings.model_copy(
        update={"trusted_header": header, "trusted_proxies": list(proxies)}
    )
    app = create_app(settings)
    make_user(app.state.services.store, "kim", "교통정책과", ["staff"])
    return app


def test_trusted_header_from_the_proxy(settings):
    app = _trusted(settings)
    proxy = TestClient(app, client=("10.0.0.5", 1234))
    r = proxy.get("/api/v1/me", headers={"X-Remote-User": "kim"})
    assert r.status_code == 200, r.text
    assert r.json()["auth_method"] == "trusted_header" and r.json()["department"] == "교통정책과"
    # Korean names arrive percent-encoded from some proxies
    make_user(app.state.services.store, "이순신", "교통정책과", ["staff"])
    r = proxy.get("/api/v1/me", headers={"X-Remote-User": "%EC%9D%B4%EC%88%9C%EC%8B%A0"})
    assert r.json()["username"] == "이순신"
    # the old header means nothing even from the proxy
    assert proxy.get("/api/v1/me", headers={"X-CT-User": "kim"}).status_code == 401
    r = proxy.get("/api/v1/me", headers={"X-Remote-User": "ghost"})
    assert r.status_code == 401 and r.json()["detail"]["code"] == "unknown_user"
    set_disabled(app.state.services.store, "kim", True)
    assert proxy.get("/api/v1/me", headers={"X-Remote-User": "kim"}).status_code == 401


def test_trusted_header_wins_over_a_stale_local_session(settings):
    """On a shared PC the browser may still hold a local login; the proxy's user is who asks."""
    app = _trusted(settings)
    make_user(app.state.services.store, "lee", "복지정책과", ["staff"])
    proxy = TestClient(app, client=("10.0.0.5", 1234))
    login(proxy, "lee")  # a local login, through the proxy, without its header
    assert proxy.get("/api/v1/me").json()["username"] == "lee"
    me = proxy.get("/api/v1/me", headers={"X-Remote-User": "kim"}).json()
    assert me["username"] == "kim" and me["auth_method"] == "trusted_header"


def test_trusted_header_from_elsewhere_is_ignored(settings):
    app = _trusted(settings)
    for host in ("10.0.1.5", "testclient", "127.0.0.1"):
        c = TestClient(app, client=(host, 1234))
        r = c.get("/api/v1/me", headers={"X-Remote-User": "kim"})
        assert r.status_code == 401 and r.json()["detail"]["code"] == "login_required", host


def test_trusted_header_off_by_default(settings):
    app = create_app(settings)
    make_user(app.state.services.store, "kim", "교통정책과", ["staff"])
    assert app.state.services.settings.trusted_header is None
    c = TestClient(app, client=("10.0.0.5", 1234))
    for header in ("X-CT-User", "X-Remote-User", "X-Forwarded-User"):
        assert c.get("/api/v1/me", headers={header: "kim"}).status_code == 401


def test_trusted_header_writes_need_the_double_submit_token(settings):
    app = _trusted(settings)
    proxy = TestClient(app, client=("10.0.0.5", 1234))
    sso = {"X-Remote-User": "kim"}
    me = proxy.get("/api/v1/me", headers=sso)
    token = me.json()["csrf_token"]
    assert token and proxy.cookies.get("ct_csrf") == token
    r = proxy.post("/api/v1/me/api-keys", json={"name": "a"}, headers=sso)
    assert r.status_code == 403 and "보안 토큰" in r.json()["detail"]["message"]
    r = proxy.post("/api/v1/me/api-keys", json={"name": "a"}, headers=sso | {"X-CSRF-Token": token})
    assert r.status_code == 201, r.text


def test_role_dependencies(settings):
    from fastapi import Depends

    from serving.auth import page_roles, require_roles
    from tests.auth_helpers import login

    app = create_app(settings)
    make_user(app.state.services.store, "kim", "교통정책과", ["staff"])
    make_user(app.state.services.store, "han", "디지털융합산업과", ["staff", "ai_division"])
    make_user(app.state.services.store, "root", "정보통신과", ["admin"])

    @app.get("/api/v1/test-ai")
    def api_ai(p=Depends(require_roles("ai_division"))):  # noqa: ANN001, B008
        return {"user": p.username}

    @app.get("/test-ai-page")
    def page_ai(p=Depends(page_roles("ai_division"))):  # noqa: ANN001, B008
        return {"user": p.username}

    anon = TestClient(app, follow_redirects=False)
    assert anon.get("/api/v1/test-ai").status_code == 401
    assert anon.get("/test-ai-page").headers["location"] == "/login?next=/test-ai-page"
    for user, ok in (("kim", False), ("han", True), ("root", True)):  # admins always pass
        c = TestClient(app)
        login(c, user)
        r = c.get("/api/v1/test-ai")
        assert r.status_code == (200 if ok else 403), user
        page = c.get("/test-ai-page")
        assert page.status_code == (200 if ok else 403), user
        if not ok:
            assert r.json()["detail"]["code"] == "forbidden" and "권한이 없습니다" in page.text


def test_pages_cannot_be_framed_or_sniffed(app):
    for url in ("/login", "/healthz", "/static/app.css"):
        r = TestClient(app).get(url)
        assert r.headers["x-frame-options"] == "DENY", url
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], url
        assert r.headers["x-content-type-options"] == "nosniff", url
