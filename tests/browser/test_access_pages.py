"""A department-only document in the browser: its department finds and opens it; another
department's staff neither finds it by its own unique words nor opens its passage URL."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, result_doc_ids, search, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# 재난안전과 "2025년 재난대응 안전한국훈련 결과보고" (access: department). Its unique words:
TITLE = "2025년 재난대응 안전한국훈련 결과보고"
UNIQUE = "해병대 고무보트 구조 훈련"


def test_department_only_document_invisible_to_other_department(new_page, watch):
    own = new_page()
    login(own, "disaster_staff")
    search(own, UNIQUE)
    hit = own.get_by_test_id("search-result").filter(has_text=TITLE).first
    expect(hit).to_be_visible()
    doc_id = hit.get_attribute("data-doc-id")
    hit.get_by_role("link", name=TITLE).click()
    expect(own.get_by_test_id("cited-passage")).to_be_visible()
    snap(own, "own-passage")
    passage_url = own.url
    # The document page of its own department lists it too.
    own.goto("/documents")
    expect(own.get_by_text(TITLE).first).to_be_visible()

    other = new_page()
    login(other, "traffic_staff")
    search(other, UNIQUE)
    assert doc_id not in result_doc_ids(other)
    results = other.locator("#search-results")
    expect(results).not_to_contain_text(TITLE)
    expect(results).not_to_contain_text("고무보트")
    # Same words with the owning department as a filter: nothing (not a hint that it exists).
    search(other, UNIQUE, department="재난안전과")
    assert doc_id not in result_doc_ids(other)
    expect(other.locator("#search-results")).not_to_contain_text("고무보트")

    # The passage URL opened directly: the not-found page, nothing of the document.
    watch.allow(404, re.escape(f"/documents/{doc_id}/"))
    response = other.goto(passage_url)
    assert response is not None and response.status == 404, response and response.status
    expect(other.get_by_test_id("not-found")).to_be_visible()
    body = other.locator("body")
    expect(body).not_to_contain_text(TITLE)
    expect(body).not_to_contain_text("고무보트")
    other.goto("/documents")
    expect(other.locator("body")).not_to_contain_text(TITLE)
    # ...and the JSON API of the same browser session agrees.
    r = other.request.get(f"/api/v1/documents/{doc_id}")
    assert r.status in (403, 404), r.text()
    assert "고무보트" not in r.text() and TITLE not in r.text()
