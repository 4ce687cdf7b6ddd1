"""The roadmap pages on a real app and a real store (a private copy of the built demo
registry): the draft list and its parameters form (Korean errors, the draft job queued and
run), the workspace (structure beside the prose, checks, template texts marked), section edits
and regeneration, structure edits, versions with a diff and restore, the export downloads read
back, and the leak tests — staff and readers missing a cited document get the 404 page, an
anonymous visitor the login page, a department head no edit, a POST without CSRF nothing.
"""

from __future__ import annotations

import re
import shutil
import time

import pytest
from fastapi.testclient import TestClient

from tests.registry_demo_fixtures import demo_settings

PASSWORDS = {
    "ai_lead": "demo-ai-2026",
    "traffic_staff": "demo-staff-2026",
    "traffic_head": "demo-head-2026",
    "admin": None,
}
YEARS = (2026, 2030)


@pytest.fixture(scope="module")
def world(demo_registry, tmp_path_factory):
    """A copy of the demo data dir with one roadmap draft (ai_lead, no LLM), and logged-in
    clients per user: {"settings", "store", "draft", "clients", "csrf"}."""
    from control_tower.roadmap.service import draft_roadmap
    from control_tower.roadmap.types import Guidance
    from control_tower.store import open_store
    from serving.app import create_app

    base, _ = demo_registry
    data = tmp_path_factory.mktemp("roadmap_pages") / "data"
    shutil.copytree(base.data_dir, data, ignore=shutil.ignore_patterns("*.lock"))
    settings = demo_settings(data, base.models_dir)
    store = open_store(settings)
    ai = store.get_user("ai_lead")
    guidance = Guidance(from_year=YEARS[0], to_year=YEARS[1], ceiling_eok=60, staff_count=1500)
    draft = draft_roadmap(settings, store, ai, guidance, use_llm=False)
    app = create_app(settings)
    clients, csrf = {}, {}
    with TestClient(app, follow_redirects=False) as anonymous:
        clients["anonymous"] = anonymous
        for user in ("ai_lead", "traffic_staff", "traffic_head"):
            c = TestClient(app, follow_redirects=False)
            r = c.post("/api/v1/auth/login", json={"username": user, "password": PASSWORDS[user]})
            assert r.status_code == 200, r.text
            clients[user], csrf[user] = c, r.json()["csrf_token"]
        yield {
            "settings": settings,
            "store": store,
            "draft": draft,
            "clients": clients,
            "csrf": csrf,
        }


def _url(world, suffix: str = "") -> str:
    return f"/roadmap/{world['draft'].draft_id}{suffix}"


def _post(world, user: str, url: str, data: dict | None = None, *, token: bool = True):
    body = dict(data or {})
    if token:
        body["csrf_token"] = world["csrf"][user]
    return world["clients"][user].post(url, data=body)


def _current(world) -> int:
    from control_tower.roadmap.repo import RoadmapRepo

    return RoadmapRepo(world["store"]).draft(world["draft"].draft_id).current_version


def test_anonymous_is_sent_to_login(world):
    anon = world["clients"]["anonymous"]
    for url in (
        "/roadmap",
        _url(world),
        _url(world, "/export?format=md"),
        _url(world, "/diff?a=1&b=1"),
    ):
        r = anon.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), url
    r = anon.post(_url(world, "/sections/background"), data={"text": "x"})
    assert r.status_code in (303, 401, 403)
    assert _current(world) >= 1


def test_staff_get_the_404_page_for_a_draft_and_never_its_text(world):
    staff = world["clients"]["traffic_staff"]
    title = world["draft"].structure.title
    for url in (
        _url(world),
        _url(world, "?version=1"),
        _url(world, "/diff?a=1&b=1"),
        _url(world, "/export?format=hwpx"),
    ):
        r = staff.get(url)
        assert r.status_code == 404, url
        assert "찾을 수 없거나 볼 권한이 없습니다" in r.text and title not in r.text
    assert staff.get("/roadmap").status_code == 403  # the list is for heads and the division
    r = _post(world, "traffic_staff", _url(world, "/sections/background"), {"text": "침입"})
    assert r.status_code == 404 and "침입" not in staff.get("/roadmap").text


def test_a_head_sees_the_draft_only_with_every_cited_document_readable(world):
    from control_tower.registry.visibility import Reader
    from control_tower.roadmap.repo import RoadmapRepo

    store, draft = world["store"], world["draft"]
    head = store.get_user("traffic_head")
    docs = RoadmapRepo(store).docs_of(draft.draft_id)
    may = all(Reader(store, head).can(d) for d in docs)
    r = world["clients"]["traffic_head"].get(_url(world))
    listed = world["clients"]["traffic_head"].get("/roadmap").text
    if may:
        assert r.status_code == 200 and 'data-testid="regenerate-form"' not in r.text
        assert draft.draft_id in listed
    else:
        assert r.status_code == 404 and draft.structure.title not in r.text
        assert draft.draft_id not in listed
    # either way, a head edits nothing (the engine's rule, in Korean)
    r = _post(world, "traffic_head", _url(world, "/sections/background"), {"text": "부서장 수정"})
    assert r.status_code in (403, 404)
    if r.status_code == 403:
        assert "AI 전담부서와 관리자만" in r.text


def test_workspace_shows_structure_prose_checks_and_marks_template_text(world):
    r = world["clients"]["ai_lead"].get(_url(world))
    assert r.status_code == 200
    html, v = r.text, world["draft"]
    assert v.structure.title in html
    for testid in (
        "phase-table",
        "budget-by-year",
        "budget-by-department",
        "training-table",
        "check-list",
        "versions",
        "export-hwpx",
        "export-docx",
        "export-md",
    ):
        assert f'data-testid="{testid}"' in html, testid
    assert html.count('data-testid="initiative"') == len(v.structure.initiatives)
    assert html.count('data-testid="check"') == len(v.checks)
    assert html.count('data-testid="section"') == len(v.sections) == 8
    # drafted without the LLM: every section is a template text, visibly marked with its note
    assert html.count('data-testid="section-template-note"') == 8
    assert "LLM 없이 만들기를 선택해" in html
    depends = [i for i in v.structure.initiatives if i.depends_on]
    if depends:  # a dependency is shown by the title of what comes first
        first = v.structure.initiative(depends[0].depends_on[0])
        assert f'href="#initiative-{first.id}"' in html
    assert str(world["settings"].data_dir) not in html  # no server path for a non-admin


def test_draft_form_refuses_bad_values_in_korean_and_queues_a_job(world):
    c = world["clients"]["ai_lead"]
    bad = _post(world, "ai_lead", "/roadmap/draft", {"from_year": "2030", "to_year": "2026"})
    assert bad.status_code == 422 and "종료 연도가 시작 연도보다 앞섭니다" in bad.text
    assert 'value="2030"' in bad.text  # what was typed is kept
    typo = _post(world, "ai_lead", "/roadmap/draft", {"from_year": "2O26", "to_year": "2030"})
    assert typo.status_code == 422 and "시작 연도는 숫자로 입력하세요" in typo.text
    ceiling = _post(
        world,
        "ai_lead",
        "/roadmap/draft",
        {"from_year": "2026", "to_year": "2030", "ceiling_eok": "많음"},
    )
    assert ceiling.status_code == 422 and "연도별 예산 한도" in ceiling.text
    refused = _post(
        world, "traffic_head", "/roadmap/draft", {"from_year": "2026", "to_year": "2030"}
    )
    assert refused.status_code == 403 and "AI 전담부서와 관리자만" in refused.text
    no_token = _post(
        world, "ai_lead", "/roadmap/draft", {"from_year": "2026", "to_year": "2030"}, token=False
    )
    assert no_token.status_code == 403 and "CSRF" in no_token.text

    ok = _post(
        world,
        "ai_lead",
        "/roadmap/draft",
        {"from_year": "2026", "to_year": "2030", "vision": "시험 비전", "pillars": "가\n나"},
    )
    assert ok.status_code == 303
    job_id = re.fullmatch(r"/roadmap\?job=(.+)", ok.headers["location"]).group(1)
    page = c.get(ok.headers["location"])
    assert f'data-job="{job_id}"' in page.text
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        job = c.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(1)
    assert job["state"] == "succeeded", job
    new = job["result"]["draft_id"]
    assert new != world["draft"].draft_id
    r = c.get(f"/roadmap/{new}")
    assert r.status_code == 200 and "시험 비전" in r.text
    assert new in c.get("/roadmap").text


def test_section_edit_regenerate_structure_edit_diff_and_restore(world):
    c = world["clients"]["ai_lead"]
    start = _current(world)
    # no CSRF token: refused, nothing changes
    r = _post(
        world, "ai_lead", _url(world, "/sections/background"), {"text": "토큰 없음"}, token=False
    )
    assert r.status_code == 403 and _current(world) == start

    r = _post(
        world,
        "ai_lead",
        _url(world, "/sections/background"),
        {"text": "직접 쓴 추진 배경입니다.\r\n\r\n두 번째 문단입니다."},
    )
    assert r.status_code == 303 and "saved=edited" in r.headers["location"]
    page = c.get(r.headers["location"].split("#")[0]).text
    assert "직접 쓴 추진 배경입니다." in page and "두 번째 문단입니다." in page
    assert 'data-testid="roadmap-saved"' in page and "직접 수정" in page
    assert _current(world) == start + 1

    r = _post(world, "ai_lead", _url(world, "/sections/budget/regenerate"))  # use_llm off
    assert r.status_code == 303 and _current(world) == start + 2
    unknown = _post(world, "ai_lead", _url(world, "/sections/nothing/regenerate"))
    assert unknown.status_code == 422 and "알 수 없는 절입니다" in unknown.text
    empty = _post(world, "ai_lead", _url(world, "/sections/background"), {"text": "   "})
    assert empty.status_code == 422 and "비어 있을 수 없고" in empty.text

    v = world["draft"]
    ini = next(i for i in v.structure.initiatives if not i.depends_on and i.phase == "단기")
    target = next(p.name for p in v.structure.phases if p.name != ini.phase)
    r = _post(world, "ai_lead", _url(world, f"/initiatives/{ini.id}"), {"phase": target})
    assert r.status_code == 303 and _current(world) == start + 3
    page = c.get(_url(world)).text
    assert re.search(rf'data-id="{ini.id}" data-phase="{target}"', page)
    bad = _post(
        world,
        "ai_lead",
        _url(world, f"/initiatives/{ini.id}"),
        {"phase": target, f"budget_{YEARS[0]}": "많음"},
    )
    assert bad.status_code == 422 and f"{YEARS[0]}년 예산" in bad.text
    # a budget line, sent as the browser sends the form (every year's box)
    from control_tower.roadmap.service import get_version

    ai = world["store"].get_user("ai_lead")
    before = get_version(world["store"], ai, v.draft_id)
    moved = before.structure.initiative(ini.id)
    year = min(moved.budget_by_year)
    boxes = {
        f"budget_{y}": str(moved.budget_by_year.get(y, "")) for y in range(YEARS[0], YEARS[1] + 1)
    }
    boxes[f"budget_{year}"] = f"{moved.budget_by_year[year] + 1.5:.2f}"
    r = _post(world, "ai_lead", _url(world, f"/initiatives/{ini.id}"), {"phase": target, **boxes})
    assert r.status_code == 303 and "structure" in r.headers["location"]
    after = get_version(world["store"], ai, v.draft_id)
    assert after.version == before.version + 1
    assert abs(after.structure.budget.total_eok - before.structure.budget.total_eok - 1.5) < 0.011
    changed = after.structure.initiative(ini.id).budget_by_year
    assert {y: x for y, x in changed.items() if y != year} == {
        y: x for y, x in moved.budget_by_year.items() if y != year
    }
    page = c.get(r.headers["location"].split("#")[0]).text  # the edited one shown open
    assert re.search(
        rf'id="initiative-{ini.id}"[^>]*>\s*<details class="initiative-box" open', page
    )

    same = _post(world, "ai_lead", _url(world, f"/initiatives/{ini.id}"), {"phase": target})
    assert same.status_code == 422 and "바뀐 값이 없습니다" in same.text

    diff = c.get(_url(world, f"/diff?a={start}&b={start + 4}"))
    assert diff.status_code == 200
    assert 'data-testid="diff-section"' in diff.text and "직접 쓴 추진 배경입니다." in diff.text
    assert 'data-testid="diff-initiative"' in diff.text and ini.title in diff.text

    old = c.get(_url(world, f"?version={start}")).text
    assert 'data-testid="roadmap-old-version"' in old and 'data-testid="regenerate-form"' not in old
    r = _post(world, "ai_lead", _url(world, "/restore"), {"version": str(start)})
    assert r.status_code == 303 and _current(world) == start + 5
    page = c.get(_url(world)).text
    assert f"{start}판 복원" in page and "직접 쓴 추진 배경입니다." not in page
    missing = c.get(_url(world, "?version=999"))
    assert missing.status_code == 404 and "999판" in missing.text


@pytest.mark.parametrize("fmt", ["hwpx", "docx", "md"])
def test_export_downloads_read_back_with_the_budget_table(world, fmt, tmp_path):
    from control_tower.roadmap.export.readback import read_back

    r = world["clients"]["ai_lead"].get(_url(world, f"/export?format={fmt}"))
    assert r.status_code == 200, r.text[:300]
    assert "attachment" in r.headers["content-disposition"]
    path = tmp_path / f"roadmap.{fmt}"
    path.write_bytes(r.content)
    back = read_back(path)
    years = [f"{y}년" for y in range(YEARS[0], YEARS[1] + 1)]
    budget = [t for t in back.tables if t and all(y in t[0] for y in years) and t[0][-1] == "합계"]
    assert budget, [t[0] for t in back.tables]
    total = next(row for row in budget[0] if row[0] == "합계")
    # the total row adds up to the draft's current total
    from control_tower.roadmap.service import get_version

    v = get_version(world["store"], world["store"].get_user("ai_lead"), world["draft"].draft_id)
    assert abs(float(total[-1].replace(",", "")) - v.structure.budget.total_eok) < 0.05
    assert str(world["settings"].data_dir) not in " ".join(back.all_text())
