"""내 API 키 in a real browser: from the user menu, make a key (shown once), see it work,
revoke it. The page fixture fails the test on any console error or failed request."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_user_makes_and_revokes_an_api_key(page, live_server):
    login(page, "water_staff")
    page.get_by_test_id("user-menu").locator("summary").click()
    page.get_by_test_id("my-api-keys").click()
    expect(page).to_have_url(re.compile(r"/account/api-keys$"))
    page.get_by_label("새 키 이름").fill("수위 보고 자동화")
    page.get_by_test_id("api-key-create").click()
    shown = page.get_by_test_id("new-api-key")
    expect(shown).to_contain_text("지금 복사해")
    key = page.get_by_label("API 키", exact=True).input_value()
    assert key.startswith("ct_")
    snap(page, "created")
    bearer = {"Authorization": f"Bearer {key}"}
    me = httpx.get(f"{live_server.base_url}/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["username"] == "water_staff"

    page.goto("/account/api-keys")  # shown once: never again
    expect(page.get_by_test_id("new-api-key")).to_have_count(0)
    assert key not in page.content()
    row = page.get_by_test_id("api-key-table").locator("tr", has_text="수위 보고 자동화")
    row.get_by_role("button", name=re.compile("폐기")).click()
    expect(page.get_by_test_id("auth-notice")).to_contain_text("폐기했습니다")
    snap(page, "revoked")
    gone = httpx.get(f"{live_server.base_url}/api/v1/me", headers=bearer)
    assert gone.status_code == 401
