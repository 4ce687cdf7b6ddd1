"""The registry pages in the browser, on the real `ct serve --demo --no-llm` (which builds the
demo registry and link map on first start): the link map's 중복 edge opens both evidence
passages, a proposal upload shows its verdict and report, a card field is edited (bad value
refused in Korean, saved with history, reverted), and a rebuild runs as a job with progress.
One demo user per test (sessions and edits never cross tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import login, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]

HANGUL = re.compile(r"[가-힣]")


def _wait_map(page: Page) -> None:
    expect(page.get_by_test_id("linkmap")).to_have_attribute("data-ready", "true", timeout=30_000)


def _edge_point(page: Page, selector: str) -> dict:
    """Where the best-scored edge matching ``selector`` is drawn, in page coordinates."""
    return page.evaluate(
        """(selector) => {
            const box = document.getElementById("linkmap");
            const cy = box.ctCy;
            const edge = cy.edges(selector).sort((x, y) => y.data("score") - x.data("score"))[0];
            cy.fit(edge.connectedNodes(), 120);
            const p = edge.renderedMidpoint();
            const r = box.getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y, id: edge.id(), source: edge.data("source"),
                    target: edge.data("target")};
        }""",
        selector,
    )


def test_link_map_click_duplicate_edge_shows_both_passages(page, watch):
    login(page, "ai_lead")
    page.get_by_test_id("nav-links").click()
    expect(page.locator("h1")).to_have_text("연계 지도")
    _wait_map(page)
    graph = page.evaluate(
        """() => { const cy = document.getElementById("linkmap").ctCy;
            const seq = cy.edges("[type = '선후']");
            return {cards: cy.nodes("[kind = 'card']").length,
                    clusters: cy.nodes("[kind = 'cluster']").length,
                    dup: cy.edges("[type = '중복']").length, seq: seq.length,
                    arrows: seq.map((e) => e.style("target-arrow-shape")),
                    dupStyle: cy.edges("[type = '중복']").map((e) => e.style("line-style")),
                    linkStyle: cy.edges("[type = '연계']").map((e) => e.style("line-style"))}; }"""
    )
    assert graph["cards"] >= 20 and graph["clusters"] >= 1, graph
    assert graph["dup"] >= 2 and graph["seq"] >= 5, graph
    assert set(graph["arrows"]) == {"triangle"}, "선후 edges must carry a direction arrow"
    assert set(graph["dupStyle"]) == {"solid"} and set(graph["linkStyle"]) == {"dashed"}
    snap(page, "map")

    # Only the duplicates: few edges, so one can be clicked on the canvas without hitting a node.
    page.get_by_label("연결 종류").select_option("중복")
    page.get_by_role("button", name="적용").click()
    expect(page).to_have_url(re.compile(r"type=%EC%A4%91%EB%B3%B5|type=중복"))
    _wait_map(page)
    point = _edge_point(page, "[type = '중복']")
    with page.expect_response(lambda r: "/links/detail" in r.url):
        page.mouse.click(point["x"], point["y"])
    detail = page.get_by_test_id("link-detail")
    expect(detail).to_have_attribute("data-type", "중복")
    expect(detail.get_by_test_id("link-type")).to_have_text("중복")
    sides = detail.get_by_test_id("evidence-side")
    expect(sides).to_have_count(2)
    ids = sides.evaluate_all("els => els.map(e => e.dataset.cardId)")
    assert set(ids) == {point["source"], point["target"]}
    for i in range(2):
        passage = sides.nth(i).get_by_test_id("evidence-passage").first
        expect(passage).to_be_visible()
        assert HANGUL.search(passage.inner_text())
    # The rationale arrives from its own endpoint after the panel (lazy, cached LLM sentence).
    rationale = detail.get_by_test_id("link-rationale")
    expect(rationale).to_be_visible(timeout=30_000)
    assert HANGUL.search(rationale.inner_text())
    watch.shot(page, "duplicate-edge")

    # The same link from the accessible table below the map.
    last = page.get_by_test_id("link-row").last
    with page.expect_response(lambda r: "/links/rationale" in r.url, timeout=30_000):
        last.get_by_role("button", name="근거 보기").click()  # waits for the lazy rationale too
    panel = page.get_by_test_id("link-detail")
    expect(panel.get_by_test_id("evidence-passage")).not_to_have_count(0)
    expect(panel.get_by_test_id("link-rationale")).to_be_visible()

    # The duplicate list shows the same pairs with both passages side by side.
    page.get_by_test_id("tab-duplicates").click()
    pairs = page.get_by_test_id("duplicate-pair")
    expect(pairs).to_have_count(graph["dup"])
    expect(pairs.first.get_by_test_id("evidence-side")).to_have_count(2)
    page.get_by_test_id("tab-platforms").click()
    expect(page.get_by_test_id("platform").first).to_be_visible()
    expect(page.get_by_test_id("platform-component").first).not_to_be_empty()
    snap(page, "platforms")


@pytest.fixture(scope="module")
def proposals(tmp_path_factory) -> dict[str, Path]:
    from control_tower.demo.proposals import write_proposals

    out = tmp_path_factory.mktemp("proposals")
    return {p.name: p for p in write_proposals(out)}


def _review(page: Page, path: Path) -> None:
    page.get_by_label("사업계획서 파일").set_input_files(str(path))
    with page.expect_response(lambda r: r.url.endswith("/review") and r.request.method == "POST"):
        page.get_by_test_id("review-submit").click()


def test_review_upload_shows_verdict_matches_and_report(page, watch, proposals):
    login(page, "steel_staff")  # a staff member: review is open to every signed-in role
    page.get_by_test_id("nav-review").click()
    expect(page.locator("h1")).to_have_text("사업계획서 사전 검토")

    _review(page, proposals["도시_빅데이터_통합_플랫폼_구축_사업계획.hwpx"])
    expect(page.get_by_test_id("review-verdict")).to_have_text("재검토", timeout=60_000)
    matches = page.get_by_test_id("review-match")
    first = matches.first
    expect(first).to_have_attribute("data-type", "중복")
    expect(first).to_contain_text("통합 데이터 플랫폼")
    expect(first.get_by_test_id("evidence-side")).to_have_count(2)
    expect(first.get_by_test_id("evidence-passage").first).to_be_visible()
    expect(page.get_by_test_id("review-reasons")).to_contain_text("중복")
    watch.shot(page, "verdict")
    with page.expect_download() as info:
        page.get_by_test_id("review-report").click()
    download = info.value
    assert download.suggested_filename.endswith("_사전검토.md")
    report = Path(download.path()).read_text(encoding="utf-8")
    assert "검토 결과: 재검토" in report and "포항시 통합 데이터 플랫폼" in report

    _review(page, proposals["공공도서관_AI_도서_추천_서비스_도입_계획.hwpx"])
    expect(page.get_by_test_id("review-verdict")).to_have_text("추진", timeout=60_000)

    # A file that is not a readable plan: a Korean reason, no verdict.
    page.get_by_label("사업계획서 파일").set_input_files(
        {"name": "깨진_계획서.hwpx", "mimeType": "application/zip", "buffer": b"PK\x03\x04broken"}
    )
    with page.expect_response(lambda r: r.url.endswith("/review")):
        page.get_by_test_id("review-submit").click()
    error = page.get_by_test_id("review-error")
    expect(error).to_be_visible(timeout=60_000)
    assert HANGUL.search(error.inner_text()) and "Traceback" not in error.inner_text()
    expect(page.get_by_test_id("review-verdict")).to_have_count(0)
    watch.shot(page, "unreadable")


def test_edit_card_field_saved_with_history_and_reverted(page, watch):
    watch.allow(422, r"/registry/[^/]+/edit$")  # the refused value, on purpose
    login(page, "traffic_head")  # a department head edits a card of their own department
    page.get_by_test_id("nav-registry").click()
    with page.expect_response(lambda r: "/registry?" in r.url):
        page.get_by_label("부서", exact=True).select_option("교통정책과")
    expect(page).to_have_url(re.compile(r"department="))
    rows = page.locator("[data-testid=registry-row][data-lead=교통정책과]")
    expect(rows.first).to_be_visible()
    assert rows.count() == page.get_by_test_id("registry-row").filter(has_text="교통정책과").count()
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("card-name")).not_to_be_empty()
    # A value's source opens on the passage page, the cited chunk marked.
    expect(page.get_by_test_id("field-passage").first).to_be_visible()
    page.get_by_test_id("passage-link").first.click()
    expect(page.get_by_test_id("cited-passage")).to_be_visible()
    page.go_back()

    field = page.locator("[data-testid=field-row][data-field=budget_eok]")
    before = field.get_by_test_id("field-value").inner_text()
    field.get_by_test_id("edit-open").click()
    field.get_by_label(re.compile("새 값")).fill("많음")
    field.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("edit-error")).to_contain_text("올바르지 않습니다")
    snap(page, "refused")

    field = page.locator("[data-testid=field-row][data-field=budget_eok]")
    field.get_by_label(re.compile("새 값")).fill("123.4")
    field.get_by_test_id("edit-save").click()
    expect(page.get_by_test_id("edit-saved")).to_contain_text("총사업비")
    field = page.locator("[data-testid=field-row][data-field=budget_eok]")
    expect(field.get_by_test_id("field-value")).to_have_text("123.4억원")
    expect(field.get_by_test_id("field-method")).to_have_text("수정")
    expect(field.get_by_test_id("field-edited")).to_contain_text("traffic_head")
    history = page.get_by_test_id("history-row").filter(has_text="총사업비")
    expect(history.first).to_contain_text("123.4억원")
    expect(history.first).to_contain_text("traffic_head")
    watch.shot(page, "saved")

    field.get_by_test_id("edit-open").click()
    field.get_by_test_id("edit-revert").click()
    field = page.locator("[data-testid=field-row][data-field=budget_eok]")
    expect(field.get_by_test_id("field-value")).to_have_text(before)
    expect(field.get_by_test_id("field-method")).not_to_have_text("수정")
    expect(page.get_by_test_id("history-row").first).to_contain_text("취소")
    snap(page, "reverted")


def test_registry_rebuild_runs_as_job_with_progress(page, watch):
    login(page, "admin")
    page.goto("/registry")
    total = page.get_by_test_id("registry-row").count()
    assert total >= 30
    page.get_by_test_id("registry-build").click()
    status = page.get_by_test_id("registry-build-status")
    expect(status).to_have_attribute("data-job-state", "succeeded", timeout=300_000)
    expect(status).to_contain_text("등록부를 다시 만들었습니다")
    expect(page.locator("#registry-build-progress")).to_have_js_property("value", 100)
    expect(page.get_by_test_id("registry-row")).to_have_count(total)
    watch.shot(page, "rebuilt")
