"""Search in the browser: filters, opening a result in context, the Korean web font, and the
keyboard path a person without a mouse takes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, result_doc_ids, search, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TRAFFIC_PDF_TITLE = "AI 스마트 신호제어 시스템 도입 계획"  # public, 교통정책과, PDF


def test_search_with_filters_and_open_passage(page):
    login(page, "welfare_staff")
    # Unfiltered, the query finds documents of several departments...
    search(page, "스마트 시스템 구축")
    badges = page.get_by_test_id("search-result").locator(".badge").all_inner_texts()
    assert len(set(badges)) > 1, badges
    # ...filtered by department and format, only that department's PDFs.
    search(page, "스마트 신호제어", department="교통정책과", doc_type="pdf")
    results = page.get_by_test_id("search-result")
    expect(results.first).to_be_visible()
    for meta in results.locator(".result-meta").all_inner_texts():
        assert "교통정책과" in meta and "PDF" in meta, meta
    assert page.url.count("department=") == 1  # the filters are in the address: shareable
    first = results.first
    expect(first).to_contain_text(TRAFFIC_PDF_TITLE)
    expect(first.locator(".snippet mark").first).to_be_visible()  # highlighted query words

    first.get_by_role("link", name=TRAFFIC_PDF_TITLE).click()
    expect(page).to_have_url(re.compile(r"/documents/[^/]+/passage\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TRAFFIC_PDF_TITLE)
    cited = page.get_by_test_id("cited-passage")
    expect(cited).to_be_visible()
    snap(page, "passage")
    expect(cited).to_contain_text("신호")
    # In context: the cited part comes with what surrounds it, and a way back.
    assert page.get_by_test_id("passage").locator("li").count() >= 2
    page.get_by_role("link", name=re.compile("검색 결과로")).click()
    expect(page.get_by_label("검색어")).to_have_value("스마트 신호제어")


def test_korean_web_font_is_bundled_and_used(page, watch):
    fonts = []
    page.on(
        "response",
        lambda r: fonts.append((r.url, r.status)) if r.url.endswith(".woff2") else None,
    )
    login(page, "ocean_staff")
    page.goto("/search")
    page.evaluate("document.fonts.ready")
    state = page.evaluate(
        """async () => {
            await document.fonts.ready;
            const faces = [...document.fonts].map(f => [f.family.replace(/"/g, ''), f.status]);
            return {
                faces,
                check: document.fonts.check('16px "Pretendard Variable"', '가'),
                family: getComputedStyle(document.querySelector('h1')).fontFamily,
            };
        }"""
    )
    assert ["Pretendard Variable", "loaded"] in state["faces"], state
    assert state["check"], state
    assert state["family"].startswith('"Pretendard Variable"'), state
    # Served by the app itself (no CDN), and it arrived.
    assert fonts and all(u.startswith(watch.base_url) and s == 200 for u, s in fonts), fonts
    # The glyph is drawn in the web font: "가" is as wide in Pretendard as its own advance,
    # not the width of a missing-glyph box of the fallback font.
    widths = page.evaluate(
        """() => {
            const c = document.createElement('canvas').getContext('2d');
            c.font = '40px "Pretendard Variable"'; const web = c.measureText('가나다').width;
            c.font = '40px monospace'; const fallback = c.measureText('가나다').width;
            return [web, fallback];
        }"""
    )
    assert widths[0] > 0 and widths[0] != widths[1], widths


def test_keyboard_reaches_search_box_and_enter_submits(page):
    login(page, "env_staff")
    page.goto("/search")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "본문으로 건너뛰기", focused  # the skip link comes first
    for _ in range(25):
        if page.evaluate("document.activeElement.id") == "search-query":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the search box")
    # The focused box shows that it has the focus.
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    assert outline[0] != "none" or outline[2] != "none", outline
    page.keyboard.type("하수관로 수위")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("search-result").first).to_be_visible()
    assert result_doc_ids(page)
    expect(page).to_have_url(re.compile(r"q=%ED%95%98"))  # the query is in the address


def test_back_to_results_keeps_the_filters(page):
    login(page, "ocean_staff")
    search(page, "스마트 신호제어", department="교통정책과", doc_type="pdf")
    page.get_by_test_id("search-result").first.locator("h2 a").click()
    expect(page.get_by_test_id("cited-passage")).to_be_visible()
    page.get_by_role("link", name=re.compile("검색 결과로")).click()
    expect(page.get_by_label("부서", exact=True)).to_have_value("교통정책과", timeout=3000)
    expect(page.get_by_label("형식", exact=True)).to_have_value("pdf", timeout=3000)
