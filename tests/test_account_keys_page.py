"""`/account/api-keys`: a user creates an API key (shown once), uses it, and revokes it; another
user's key cannot be revoked from here; everything needs a login and the CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from serving.app import create_app
from tests.auth_helpers import login, make_user


def _key_on(page: str) -> str:
    return re.search(r'id="new-key-value"[^>]*value="(ct_[^"]+)"', page).group(1)


def test_create_use_and_revoke_own_key(settings):
    app = create_app(settings)
    store = app.state.services.store
    make_user(store, "kim", "교통정책과", ["staff"])
    make_user(store, "lee", "복지정책과", ["staff"])
    anonymous = TestClient(app).get("/account/api-keys", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")

    kim = TestClient(app)
    csrf = login(kim, "kim")
    assert "내 API 키" in kim.get("/search").text  # the user menu links here
    assert kim.post("/account/api-keys", data={"name": "자동화"}).status_code == 403  # no CSRF
    page = kim.post("/account/api-keys", data={"name": "주간 보고 자동화", "csrf_token": csrf})
    assert page.status_code == 200 and "지금 복사해" in page.text
    key = _key_on(page.text)
    assert key not in kim.get("/account/api-keys").text  # shown once
    bearer = TestClient(app, headers={"Authorization": f"Bearer {key}"})
    assert bearer.get("/api/v1/me").json()["username"] == "kim"

    key_id = key.split("_")[1]
    lee = TestClient(app)
    lee_csrf = login(lee, "lee")
    r = lee.post(f"/account/api-keys/{key_id}/revoke", data={"csrf_token": lee_csrf})
    assert r.status_code == 400 and "없는 API 키" in r.text
    assert bearer.get("/api/v1/me").status_code == 200  # still alive

    r = kim.post(f"/account/api-keys/{key_id}/revoke", data={"csrf_token": csrf})
    assert r.status_code == 200 and "폐기했습니다" in r.text
    assert bearer.get("/api/v1/me").status_code == 401
    empty = kim.post("/account/api-keys", data={"name": "  ", "csrf_token": csrf})
    assert empty.status_code == 400 and "키 이름을 입력하세요" in empty.text

    from control_tower.audit import AuditLog

    events = [(e.event, e.username, e.surface) for e in AuditLog(store).read()]
    assert ("api_key_create", "kim", "web") in events
    assert ("api_key_revoke", "kim", "web") in events
