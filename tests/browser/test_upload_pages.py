"""A batch upload in the browser: one good file and one corrupt one, per-file progress, the
Korean reason for the corrupt file, and the good one searchable afterwards."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, search

pytestmark = [pytest.mark.browser, pytest.mark.integration]

GOOD_NAME = "브라우저_시험_청포도_물류거점_검토.md"
GOOD_TEXT = (
    "# 청포도 물류거점 검토\n\n"
    "기획예산과가 청포도 물류거점 후보지 세 곳의 사업비를 비교했습니다. "
    "후보지별 도로 접근성과 부지 매입비를 함께 검토합니다.\n"
)
# Looks like a PDF by name and first bytes, but the rest is garbage: the parser must refuse it.
BAD_NAME = "손상된_예산_보고서.pdf"
BAD_BYTES = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF-not-really"
HANGUL = re.compile(r"[가-힣]")


def test_batch_upload_shows_progress_and_korean_reason(page, watch):
    login(page, "budget_staff")
    page.goto("/documents")
    page.get_by_label("파일 (여러 개 선택 가능)").set_input_files(
        [
            {"name": GOOD_NAME, "mimeType": "text/markdown", "buffer": GOOD_TEXT.encode()},
            {"name": BAD_NAME, "mimeType": "application/pdf", "buffer": BAD_BYTES},
        ]
    )
    page.get_by_label("공개 범위").select_option("department")
    page.get_by_role("button", name="올리기").click()

    items = page.get_by_test_id("upload-item")
    expect(items).to_have_count(2, timeout=30_000)
    good = items.filter(has_text=GOOD_NAME)
    bad = items.filter(has_text=BAD_NAME)
    # Each file has its own progress bar and state, and both reach a final state.
    expect(good.locator("progress")).to_have_count(1)
    expect(bad.locator("progress")).to_have_count(1)
    expect(good).to_have_attribute("data-status", re.compile("indexed|updated"), timeout=120_000)
    expect(bad).to_have_attribute("data-status", re.compile("failed|skipped"), timeout=120_000)
    expect(good.locator("progress")).to_have_js_property("value", 100)
    reason = bad.locator(".file-state").inner_text()
    assert reason.startswith(("실패:", "건너뜀:")), reason
    detail = reason.split(":", 1)[1].strip()
    assert HANGUL.search(detail) and len(detail) >= 6, f"no Korean reason: {reason!r}"
    assert "Traceback" not in reason and "/" not in detail, reason  # no server paths or stacks
    expect(page.locator("#upload-status")).to_contain_text("2개 중 1개 완료")
    watch.shot(page, "uploaded")

    # Both are listed: the good one as indexed, the corrupt one as failed with its reason.
    rows = page.get_by_test_id("document-row")
    expect(rows.filter(has_text="청포도 물류거점")).to_have_class(re.compile("status-indexed"))
    failed = rows.filter(has_text="손상된_예산_보고서")
    expect(failed).to_have_class(re.compile("status-failed"))
    expect(failed.locator(".doc-status")).to_contain_text(detail)
    # And it is searchable (the keyword index refreshes in the background: allow it a while).
    deadline = time.monotonic() + 60
    while True:
        search(page, "청포도 물류거점 후보지")
        hits = page.get_by_test_id("search-result").filter(has_text="청포도")
        if hits.count() or time.monotonic() > deadline:
            break
        page.wait_for_timeout(3000)
    expect(hits.first).to_be_visible()
    expect(hits.first.locator("mark").first).to_be_visible()
    expect(page.locator("#search-results")).not_to_contain_text("손상된")
