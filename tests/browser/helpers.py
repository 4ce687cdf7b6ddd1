"""What browser tests do again and again: log in through the form, log out through the menu,
search through the search page. Selectors are the pages' labels and ``data-testid``s, so a test
breaks when a person could no longer find the control either."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def demo_password(username: str) -> str:
    """The README's demo password of a demo user (by its role), as `ct serve --demo` sets it."""
    from control_tower.accounts.demo import demo_password as by_roles
    from control_tower.bootstrap import load_demo_users

    user = next(u for u in load_demo_users() if u.username == username)
    return by_roles(user.roles)


def snap(page: Page, label: str = "") -> None:
    """A screenshot for the test's artifacts (the page fixture's PageWatch names it)."""
    watch = getattr(page, "ct_watch", None)
    if watch is not None:
        watch.shot(page, label)


def login(page: Page, username: str, password: str | None = None, *, next_url: str = "/") -> None:
    """Log in through the login form (a demo user with its demo password unless given) and
    wait until the app shows the signed-in layout."""
    password = password if password is not None else demo_password(username)
    page.goto(f"/login?next={next_url}")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호", exact=True).fill(password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    snap(page)


def logout(page: Page) -> None:
    page.get_by_test_id("user-menu").locator("summary").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login"))
    snap(page)


def search(page: Page, query: str, **filters: str) -> None:
    """Search on /search with optional filter values (``department=``, ``doc_type=``)."""
    if not page.url.split("?")[0].endswith("/search"):
        page.goto("/search")
    if "department" in filters:
        page.get_by_label("부서", exact=True).select_option(filters["department"])
    if "doc_type" in filters:
        page.get_by_label("형식", exact=True).select_option(filters["doc_type"])
    page.get_by_label("검색어").fill(query)
    # Wait for THIS search's answer to be swapped in, not the previous results still shown.
    with page.expect_response(lambda r: r.url.split("?")[0].endswith("/search")):
        page.get_by_role("button", name="검색", exact=True).click()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    expect(page.locator("#search-results [data-testid]").first).to_be_visible()
    snap(page, "search")


def result_doc_ids(page: Page) -> list[str]:
    return page.get_by_test_id("search-result").evaluate_all("els => els.map(e => e.dataset.docId)")
