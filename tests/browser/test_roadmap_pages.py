"""The roadmap workspace and the ideas page in the browser, on the real `ct serve --demo
--no-llm`: the AI division drafts a 2026–2030 roadmap as a job and follows its progress (also
after a reload), opens the draft, regenerates one section (the marked template text: no LLM
runs here), downloads the HWPX, which python-hwpx reads back with the budget table, rewrites a
section by hand, compares two versions and restores one; the page stays usable on a
phone-width screen. On the ideas page, 교통정책과's proposals are computed
and one is accepted into the roadmap's input."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import login, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]

HANGUL = re.compile(r"[가-힣]")
YEARS = list(range(2026, 2031))


def _draft(page: Page) -> None:
    page.get_by_test_id("nav-roadmap").click()
    expect(page.locator("h1")).to_have_text("중장기 AI 로드맵")
    page.get_by_label("시작 연도").fill(str(YEARS[0]))
    page.get_by_label("종료 연도").fill(str(YEARS[-1]))
    page.get_by_label("연도별 예산 한도 (억원)").fill("80")
    page.get_by_label("비전 (선택)").fill("데이터와 AI로 시민의 일상을 바꾸는 도시")
    page.get_by_label(re.compile("LLM으로 문안 작성")).uncheck()  # no LLM server in this run
    page.get_by_test_id("roadmap-draft-submit").click()
    expect(page).to_have_url(re.compile(r"/roadmap\?job="))
    expect(page.get_by_test_id("roadmap-job")).to_be_visible()


def test_draft_roadmap_with_progress_regenerate_section_and_export_hwpx(page, watch, tmp_path):
    from control_tower.roadmap.export.readback import read_back

    login(page, "ai_lead")
    _draft(page)
    job_url = page.url
    page.reload()  # re-attaches to the same job from ?job=…
    box = page.get_by_test_id("roadmap-job")
    expect(box).to_have_attribute("data-job", re.compile(r".+"))
    assert job_url.endswith(box.get_attribute("data-job"))
    status = page.get_by_test_id("roadmap-job-status")
    # A fast machine may have finished the draft by the time the reloaded page asks.
    expect(status).to_contain_text(re.compile("대기 중|진행 중|초안을 만들었습니다"))
    opener = page.get_by_test_id("roadmap-job-open")
    expect(opener).to_be_visible(timeout=240_000)
    expect(box).to_have_attribute("data-job-state", "succeeded")
    assert int(box.get_attribute("data-steps") or 0) >= 1  # progress was shown
    expect(status).to_contain_text("초안을 만들었습니다")
    expect(page.locator("#roadmap-job-progress")).to_have_attribute("value", "100")
    expect(page).not_to_have_url(re.compile("job="))  # done: a reload no longer follows it
    rows = page.get_by_test_id("roadmap-draft-row")  # the list was refreshed with the new draft
    new_id = opener.get_attribute("href").rsplit("/", 1)[1]
    expect(rows.and_(page.locator(f"[data-draft-id='{new_id}']"))).to_have_count(1)
    snap(page, "job-done")

    opener.click()
    expect(page.get_by_test_id("roadmap-version")).to_contain_text("1판")
    expect(page.get_by_test_id("roadmap-vision")).to_have_text(
        "데이터와 AI로 시민의 일상을 바꾸는 도시"
    )
    expect(page.get_by_test_id("check").first).to_be_visible()
    assert page.get_by_test_id("initiative").count() >= 3
    phases = page.get_by_test_id("phase-table")
    expect(phases).to_contain_text("단기")
    expect(page.get_by_test_id("budget-by-year")).to_contain_text(f"{YEARS[0]}년")
    expect(page.get_by_test_id("training-table")).to_be_visible()
    sections = page.get_by_test_id("section")
    expect(sections).to_have_count(8)
    expect(page.get_by_test_id("section-template-note")).to_have_count(8)  # marked, with note
    snap(page, "workspace")

    budget = page.locator("[data-testid=section][data-key=budget]")
    budget.get_by_label("LLM 사용").uncheck()
    budget.get_by_test_id("regenerate").click()
    expect(page.get_by_test_id("roadmap-saved")).to_contain_text("다시 썼습니다")
    expect(page.get_by_test_id("roadmap-version")).to_contain_text("2판")
    expect(page.get_by_test_id("version-row")).to_have_count(2)
    budget = page.locator("[data-testid=section][data-key=budget]")
    expect(budget.get_by_test_id("section-text")).to_contain_text("억원")
    snap(page, "regenerated")

    with page.expect_download() as info:
        page.get_by_test_id("export-hwpx").click()
    download = info.value
    assert download.suggested_filename.endswith("_2판.hwpx")
    path = tmp_path / "roadmap.hwpx"
    download.save_as(str(path))
    back = read_back(path)
    headers = [t[0] for t in back.tables if t]
    budget_tables = [t for t in back.tables if t and [f"{y}년" for y in YEARS] == t[0][1:-1]]
    assert budget_tables, headers
    total_row = next(r for r in budget_tables[0] if r[0] == "합계")
    shown = page.get_by_test_id("budget-total").inner_text()
    assert total_row[-1].replace(",", "") in shown.replace(",", ""), (total_row, shown)
    assert any("Ⅵ. 연도별 소요 예산" in h for h in back.heading_texts())

    # rewrite a section by hand, then compare the two versions and restore the earlier one
    background = page.locator("[data-testid=section][data-key=background]")
    background.get_by_test_id("section-edit-open").click()
    box = background.get_by_label(re.compile("「Ⅰ. 추진 배경」 내용"))
    box.fill("손으로 고친 추진 배경 문단입니다.\n\n" + box.input_value())
    background.get_by_test_id("section-save").click()
    expect(page.get_by_test_id("roadmap-saved")).to_contain_text("고쳤습니다 (3판)")
    background = page.locator("[data-testid=section][data-key=background]")
    expect(background.get_by_test_id("section-method")).to_have_text("직접 수정")
    expect(background.get_by_test_id("section-template-note")).to_have_count(0)
    page.get_by_label("이전 판").select_option("2")
    page.get_by_label("비교할 판").select_option("3")
    page.get_by_test_id("compare").click()
    expect(page.get_by_test_id("diff-title")).to_have_text("2판과 3판 비교")
    changed = page.locator("[data-testid=diff-section][data-key=background]")
    expect(changed.locator(".diff-add").first).to_contain_text("손으로 고친 추진 배경 문단입니다.")
    snap(page, "diff")
    page.go_back()
    page.get_by_test_id("restore-2").first.click()
    expect(page.get_by_test_id("roadmap-saved")).to_contain_text("2판을 복원했습니다 (4판)")
    expect(page.get_by_test_id("section-template-note")).to_have_count(8)

    # a phone-width screen: nothing runs off the page sideways
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, overflow
    snap(page, "narrow")


def test_ideas_for_a_department_and_accept_one(page, watch):
    login(page, "ai_lead")
    page.get_by_test_id("nav-ideas").click()
    expect(page.locator("h1")).to_have_text("신규 AI 사업 발굴")
    page.get_by_label("부서", exact=True).select_option("교통정책과")
    page.get_by_label("제안 수").select_option("5")
    with page.expect_response(lambda r: r.url.endswith("/ideas/proposals"), timeout=120_000):
        page.get_by_test_id("ideas-submit").click()
    proposals = page.get_by_test_id("proposal")
    expect(proposals.first).to_be_visible(timeout=60_000)
    assert 2 <= proposals.count() <= 5
    # one not yet accepted (the demo's first start accepts each department's best 신규 one)
    pid = proposals.filter(has=page.get_by_test_id("decide-채택")).first.get_attribute("data-id")
    first = page.locator(f"[data-testid=proposal][data-id='{pid}']")  # pinned: not re-filtered
    expect(first.get_by_test_id("score")).to_have_count(3)
    assert HANGUL.search(first.locator("h3").inner_text())
    first.get_by_test_id("citations").locator("summary").click()
    expect(first.get_by_test_id("citation").first).to_be_visible()
    assert "/" in first.get_by_test_id("citation").first.inner_text()  # 부서/파일명
    snap(page, "proposals")

    with page.expect_response(lambda r: "/decision" in r.url):
        first.get_by_test_id("decide-채택").click()
    expect(first.get_by_test_id("proposal-status")).to_have_text("채택")
    expect(first.get_by_test_id("decide-보류")).to_be_visible()
    snap(page, "accepted")

    # the decision is kept: the stored proposals after a reload
    page.goto("/ideas?department=교통정책과")
    stored = page.locator(f"[data-testid=proposal][data-id='{pid}']")
    expect(stored.get_by_test_id("proposal-status")).to_have_text("채택")
    with page.expect_response(lambda r: "/decision" in r.url):
        stored.get_by_test_id("decide-제안").click()  # leave the demo data as it was
    expect(stored.get_by_test_id("proposal-status")).to_have_text("제안")
