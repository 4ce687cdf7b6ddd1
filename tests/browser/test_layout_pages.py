"""Usable on a tablet: at 768 px wide the main pages fit the screen (wide tables scroll inside
their own box, the page itself never scrolls sideways) and the navigation stays reachable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, search

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TABLET = {"width": 768, "height": 1024}


def _page_overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 = fits)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def test_tablet_pages_fit_the_screen(new_page, watch):
    page = new_page(viewport=TABLET)
    login(page, "admin")
    search(page, "스마트 시스템 구축")
    watch.shot(page, "search-results")
    too_wide = {}
    for path in ("/search?q=스마트", "/documents", "/admin/users", "/admin/audit"):
        page.goto(path)
        expect(page.get_by_role("navigation", name="주 메뉴")).to_be_visible()
        if (over := _page_overflow(page)) > 1:
            too_wide[path] = over
    assert not too_wide, f"pages wider than a 768 px tablet (px too wide): {too_wide}"
