"""Login, logout, a wrong password, and a forged X-CT-User header — in a real browser."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, logout, search, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_login_and_logout(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))  # signed out: the app sends you to log in
    login(page, "traffic_staff")
    menu = page.get_by_test_id("user-menu")
    expect(menu).to_contain_text("교통정책과")
    logout(page)
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    # The old session is dead: a protected page sends us back to the login form.
    page.goto("/search")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="로그인")).to_be_visible()


def test_wrong_password_shows_korean_error(page, watch):
    watch.allow(401, r"/login$")  # the refused form post answers 401 with the login page
    page.goto("/login")
    page.get_by_label("아이디").fill("tourism_staff")
    page.get_by_label("비밀번호", exact=True).fill("wrong-password-123")
    page.get_by_test_id("login-submit").click()
    error = page.get_by_test_id("auth-error")
    expect(error).to_have_text("아이디 또는 비밀번호가 올바르지 않습니다.")
    snap(page, "refused")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    # The username stays filled in and the password does not.
    expect(page.get_by_label("아이디")).to_have_value("tourism_staff")
    expect(page.get_by_label("비밀번호", exact=True)).to_have_value("")


def test_forged_user_header_gets_login_page_and_401(page, live_server):
    page.set_extra_http_headers({"X-CT-User": "admin"})
    page.goto("/search")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    page.goto("/admin/users")
    expect(page).to_have_url(re.compile(r"/login"))
    # The API from the same browser context, forged header included: 401 with a Korean body.
    r = page.request.get("/api/v1/search?q=예산", headers={"X-CT-User": "admin"})
    assert r.status == 401, r.text()
    assert r.json()["detail"]["code"], r.text()
    assert re.search(r"[가-힣]", r.json()["detail"]["message"])
    r = httpx.get(
        f"{live_server.base_url}/api/v1/documents", headers={"X-CT-User": "admin"}, timeout=30
    )
    assert r.status_code == 401, r.text


def test_back_after_logout_shows_no_document_text(page):
    """On a shared PC, Back after logging out must not bring the results or passage back."""
    login(page, "welfare_staff")
    search(page, "복지 사각지대 위기가구")
    snippet = page.get_by_test_id("search-result").first.locator(".snippet").inner_text()
    page.get_by_test_id("search-result").first.locator("h2 a").click()
    expect(page.get_by_test_id("cited-passage")).to_be_visible()
    logout(page)
    for _ in range(2):  # back to the passage, then to the results
        page.go_back()
        page.wait_for_load_state()
        body = page.locator("body")
        expect(body).not_to_contain_text(snippet[:20])
        expect(page.get_by_test_id("cited-passage")).to_have_count(0)
        expect(page.get_by_test_id("user-menu")).to_have_count(0)
