"""The ideas page on a real app and a real store (a private copy of the built demo registry):
the department box by role, proposals computed on request (scores with reasons, related
cards, citations without server paths), accepting and rejecting one (HTMX and plain form),
and the leak tests — a department head of another department gets the Korean refusal and no
proposal, staff and anonymous visitors never reach the page, a POST without CSRF decides
nothing.
"""

from __future__ import annotations

import re
import shutil

import pytest
from fastapi.testclient import TestClient

from tests.registry_demo_fixtures import demo_settings

DEPT = "교통정책과"
PASSWORDS = {
    "ai_lead": "demo-ai-2026",
    "traffic_head": "demo-head-2026",
    "welfare_head": "demo-head-2026",
    "traffic_staff": "demo-staff-2026",
}
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def world(demo_registry, tmp_path_factory):
    from control_tower.store import open_store
    from serving.app import create_app

    base, _ = demo_registry
    data = tmp_path_factory.mktemp("ideas_pages") / "data"
    shutil.copytree(base.data_dir, data, ignore=shutil.ignore_patterns("*.lock"))
    settings = demo_settings(data, base.models_dir)
    app = create_app(settings)
    clients, csrf = {}, {}
    with TestClient(app, follow_redirects=False) as anonymous:
        clients["anonymous"] = anonymous
        for user, password in PASSWORDS.items():
            c = TestClient(app, follow_redirects=False)
            r = c.post("/api/v1/auth/login", json={"username": user, "password": password})
            assert r.status_code == 200, r.text
            clients[user], csrf[user] = c, r.json()["csrf_token"]
        yield {
            "settings": settings,
            "store": open_store(settings),
            "clients": clients,
            "csrf": csrf,
        }


@pytest.fixture(scope="module")
def computed(world):
    """The traffic head's 제안 받기 (HTMX), computed once: (html, proposal ids)."""
    r = world["clients"]["traffic_head"].post(
        "/ideas/proposals",
        data={"department": DEPT, "top": "3", "csrf_token": world["csrf"]["traffic_head"]},
        headers=HTMX,
    )
    assert r.status_code == 200, r.text[:500]
    ids = re.findall(r'data-testid="proposal" data-id="([^"]+)"', r.text)
    return r.text, ids


def test_anonymous_and_staff_never_reach_the_page(world):
    r = world["clients"]["anonymous"].get(f"/ideas?department={DEPT}")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    staff = world["clients"]["traffic_staff"]
    assert staff.get("/ideas").status_code == 403
    r = staff.post(
        "/ideas/proposals",
        data={"department": DEPT, "csrf_token": world["csrf"]["traffic_staff"]},
    )
    assert r.status_code == 403 and 'data-testid="proposal"' not in r.text


def test_department_box_by_role(world):
    head = world["clients"]["traffic_head"].get("/ideas").text
    options = re.findall(
        r'<option value="([^"]*)"', head.split('id="ideas-department"')[1].split("</select>")[0]
    )
    assert options == [DEPT]  # a head: their own department, preselected
    ai = world["clients"]["ai_lead"].get("/ideas").text
    ai_options = re.findall(
        r'<option value="([^"]+)"', ai.split('id="ideas-department"')[1].split("</select>")[0]
    )
    assert DEPT in ai_options and "복지정책과" in ai_options and len(ai_options) >= 10


def test_a_head_of_another_department_sees_no_proposal(world, computed):
    _, ids = computed
    assert ids
    welfare = world["clients"]["welfare_head"]
    page = welfare.get(f"/ideas?department={DEPT}")
    assert page.status_code == 403 and "다른 부서의 신규 사업 제안은 볼 수 없습니다" in page.text
    assert 'data-testid="proposal"' not in page.text and not any(i in page.text for i in ids)
    r = welfare.post(
        "/ideas/proposals",
        data={"department": DEPT, "csrf_token": world["csrf"]["welfare_head"]},
        headers=HTMX,
    )
    assert r.status_code == 200 and 'data-testid="ideas-error"' in r.text  # HTMX: shown in place
    assert "다른 부서" in r.text and 'data-testid="proposal"' not in r.text
    # nor decide on one (refused: not their department's head)
    r = welfare.post(
        f"/ideas/{ids[0]}/decision",
        data={"status": "채택", "department": DEPT, "csrf_token": world["csrf"]["welfare_head"]},
    )
    assert r.status_code in (403, 404)
    assert "권한이 없습니다" in r.text


def test_proposals_show_scores_reasons_related_cards_and_citations(world, computed):
    html, ids = computed
    assert 1 <= len(ids) <= 3
    for criterion in ("적합성", "실현가능성", "확산가능성"):
        assert html.count(f'data-criterion="{criterion}"') == len(ids)
    assert 'data-testid="citation"' in html
    assert str(world["settings"].data_dir) not in html  # 부서/파일명, never a server path
    assert f"{DEPT}/" in html
    # proposals never duplicate a card: only 신규 or 연계
    kinds = set(re.findall(r'data-testid="proposal" data-id="[^"]+" data-kind="([^"]+)"', html))
    assert kinds <= {"신규", "연계"}


def test_accept_and_reject_a_proposal(world, computed):
    from control_tower.ideation.repo import IdeaRepo

    _, ids = computed
    head, token = world["clients"]["traffic_head"], world["csrf"]["traffic_head"]
    url = f"/ideas/{ids[0]}/decision"
    no_token = head.post(url, data={"status": "채택", "department": DEPT})
    assert no_token.status_code == 403
    assert IdeaRepo(world["store"]).get(ids[0])[0].status == "제안"

    r = head.post(
        url, data={"status": "채택", "department": DEPT, "csrf_token": token}, headers=HTMX
    )
    assert r.status_code == 200 and 'data-testid="proposal-status">채택<' in r.text
    assert IdeaRepo(world["store"]).get(ids[0])[0].status == "채택"
    # the roadmap's input now holds it (for a reader of all its documents: its own head)
    from control_tower.ideation.service import accepted_proposals

    reader = world["store"].get_user("traffic_head")
    assert ids[0] in {p.id for p in accepted_proposals(world["store"], reader)}
    page = head.get(f"/ideas?department={DEPT}").text  # stored proposals, decision kept
    assert re.search(rf'id="proposal-{re.escape(ids[0])}".*?proposal-status">채택<', page, re.S)

    plain = head.post(url, data={"status": "보류", "department": DEPT, "csrf_token": token})
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"#proposal-{ids[0]}")
    assert IdeaRepo(world["store"]).get(ids[0])[0].status == "보류"
    bad = head.post(url, data={"status": "없음", "department": DEPT, "csrf_token": token})
    assert bad.status_code == 422 and "상태는 제안, 채택, 보류 중 하나" in bad.text
    head.post(url, data={"status": "제안", "department": DEPT, "csrf_token": token})
