"""Every page in each role's menu opens in the browser without a JavaScript error, a console
error or a failed request (the page fixture checks), shows its Korean heading, marks itself as
the current page, and never shows a server file path."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# One demo user per role (and the menu entries that role must see at least).
ROLES = {
    "steel_staff": {"search", "documents"},
    "steel_head": {"search", "documents"},
    "ai_lead": {"search", "documents", "usage"},
    "admin": {"search", "documents", "usage", "admin", "audit"},
}


@pytest.mark.parametrize("username", list(ROLES))
def test_every_menu_page_opens_cleanly(new_page, live_server, username):
    page = new_page()
    login(page, username)
    links = page.get_by_role("navigation", name="주 메뉴").get_by_role("link")
    entries = [
        (link.get_attribute("data-testid").removeprefix("nav-"), link.get_attribute("href"))
        for link in links.all()
    ]
    assert ROLES[username] <= {testid for testid, _ in entries}, entries
    if "admin" not in ROLES[username]:
        assert not {"admin", "audit"} & {testid for testid, _ in entries}, entries
    for testid, href in entries:
        page.get_by_test_id(f"nav-{testid}").click()
        page.wait_for_load_state()
        expect(page.locator("h1").first).to_be_visible()
        snap(page, testid)
        expect(page.get_by_test_id(f"nav-{testid}")).to_have_attribute("aria-current", "page")
        html = page.content()
        assert str(live_server.data_dir) not in html, f"server path shown on {href}"
        assert "demo_corpus" not in html, f"server path shown on {href}"
    page.get_by_test_id("user-menu").locator("summary").click()
    page.get_by_role("link", name="비밀번호 변경").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("비밀번호")
    snap(page, "password")
