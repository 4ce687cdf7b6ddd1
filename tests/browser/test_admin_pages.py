"""An admin adds a user in the browser; the new user can log in, and cannot open admin pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NEW_USER = "browser_new01"
NEW_PASSWORD = "처음비밀번호-2026"


def test_admin_adds_user_who_can_then_log_in(new_page, watch):
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin/users")
    form = admin.get_by_test_id("add-user-form")
    form.get_by_label("아이디").fill(NEW_USER)
    form.get_by_label("이름 (선택)").fill("한가람")
    form.get_by_label("부서", exact=True).select_option("관광과")
    form.get_by_label("처음 비밀번호").fill(NEW_PASSWORD)
    form.get_by_role("checkbox", name="직원").check()
    admin.get_by_test_id("add-user-submit").click()
    expect(admin.locator("#alerts")).to_contain_text(NEW_USER)
    snap(admin, "added")
    row = admin.locator(f'[data-testid="user-row"][data-username="{NEW_USER}"]')
    expect(row).to_contain_text("한가람")
    expect(row).to_contain_text("관광과")
    expect(row).to_contain_text("직원")

    user = new_page()  # another browser context: its own cookies
    login(user, NEW_USER, NEW_PASSWORD)
    expect(user.get_by_test_id("user-menu")).to_contain_text("한가람")
    expect(user.get_by_test_id("user-menu")).to_contain_text("관광과")
    # A staff member sees no admin menu and gets the Korean "no permission" page.
    expect(user.get_by_test_id("nav-admin")).to_have_count(0)
    watch.allow(403, r"/admin/users$")
    user.goto("/admin/users")
    expect(user.get_by_test_id("forbidden")).to_be_visible()
    expect(user.get_by_test_id("users-table")).to_have_count(0)

    # The admin's list now shows when the new user last logged in.
    admin.goto("/admin/users")
    expect(row.locator("time")).to_have_count(1)
