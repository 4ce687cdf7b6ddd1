"""CSRF: every state-changing request riding on the session cookie needs the session's token
(header or form field); the login form needs the double-submit cookie; Bearer keys are exempt."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from tests.auth_helpers import PASSWORD, api_key, login, make_user

KOREAN = "보안 토큰(CSRF)이 없거나 올바르지 않습니다"


@pytest.fixture
def app(settings):
    app = create_app(settings)
    make_user(app.state.services.store, "kim", "교통정책과", ["staff"])
    return app


def _refused(r) -> bool:  # noqa: ANN001
    return r.status_code == 403 and KOREAN in r.text


def test_api_write_needs_the_session_token(app):
    client = TestClient(app)
    csrf = login(client, "kim")
    url, body = "/api/v1/me/api-keys", {"name": "x"}
    assert _refused(client.post(url, json=body))
    assert _refused(client.post(url, json=body, headers={"X-CSRF-Token": "wrong" * 9}))
    assert _refused(client.post(url, json=body, headers={"X-CSRF-Token": "한글토큰".encode()}))
    r = client.post(url, json=body)
    assert r.json()["detail"]["code"] == "csrf_failed"
    assert client.post(url, json=body, headers={"X-CSRF-Token": csrf}).status_code == 201


def test_another_sessions_token_does_not_work(app):
    a, b = TestClient(app), TestClient(app)
    login(a, "kim")
    token_b = login(b, "kim")
    r = a.post("/api/v1/me/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": token_b})
    assert _refused(r)


def test_form_field_token_and_html_answer(app):
    client = TestClient(app)
    csrf = login(client, "kim")
    r = client.post("/logout", data={"csrf_token": "nope" * 10}, headers={"Accept": "text/html"})
    assert _refused(r) and r.headers["content-type"].startswith("text/html")
    assert client.get("/api/v1/me").status_code == 200  # still signed in
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and client.get("/api/v1/me").status_code == 401


def test_delete_and_multipart_need_the_header(app):
    client = TestClient(app)
    csrf = login(client, "kim")
    assert _refused(client.delete("/api/v1/me/api-keys/whatever"))
    r = client.delete("/api/v1/me/api-keys/whatever", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404
    # a token in a multipart body is not read (uploads are never buffered for it)
    r = client.post(
        "/api/v1/documents",
        data={"csrf_token": csrf},
        files={"file": ("a.txt", b"hello", "text/plain")},
    )
    assert _refused(r)


def test_login_form_needs_the_double_submit_cookie(app):
    client = TestClient(app)
    form = {"username": "kim", "password": PASSWORD, "next": "/"}
    assert _refused(client.post("/login", data=form))  # no cookie, no token
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.cookies["ct_csrf"] == token
    assert _refused(client.post("/login", data=form | {"csrf_token": "x" * 43}))
    r = client.post("/login", data=form | {"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and "ct_session" in client.cookies
    # an attacker's own cookie value + field from another browser does not match ours
    other = TestClient(app)
    other.get("/login")
    r = other.post("/login", data=form | {"csrf_token": token})
    assert _refused(r)


def test_bearer_requests_are_exempt(app):
    headers = api_key(app.state.services.store, "kim")
    client = TestClient(app, headers=headers)
    r = client.delete("/api/v1/me/api-keys/none")
    assert r.status_code == 404  # reached the route: no CSRF refusal


def test_safe_methods_and_anonymous_requests_pass_through(app):
    client = TestClient(app)
    assert client.post("/api/v1/me/api-keys", json={"name": "x"}).status_code == 401
    login(client, "kim")
    assert client.get("/api/v1/me").status_code == 200


def test_stale_login_form_from_another_tab_still_works(app):
    client = TestClient(app)
    page = client.get("/login")  # tab 1 shows the form
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    login(client, "kim")  # tab 2 logs in
    form = {"username": "kim", "password": PASSWORD, "next": "/", "csrf_token": token}
    r = client.post("/login", data=form, follow_redirects=False)
    assert r.status_code == 303
    # but a random token is still refused on the login form of a signed-in browser
    assert _refused(client.post("/login", data=form | {"csrf_token": "z" * 43}))
