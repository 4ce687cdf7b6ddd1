# ruff: noqa: F811 - module-scoped fixtures imported from tests/ideation_fixtures.py
"""Leak tests for ideation: what a caller may not read never reaches a profile, a proposal or
a citation — checked against the demo's restricted and department-only documents, with a
positive control (a caller who may read the document does get its facts) so the test can
fail; the department rule (staff: own department only); the API's 401/403 and CSRF."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from control_tower.domain import Principal
from tests.auth_helpers import auth_headers, login
from tests.ideation_fixtures import DEPT, doc_text, ideas_world, traffic  # noqa: F401

DEMO_PASSWORDS = {"traffic_staff": "demo-staff-2026", "traffic_head": "demo-head-2026",
                  "ai_lead": "demo-ai-2026", "welfare_staff": "demo-staff-2026"}  # fmt: skip
# (department, hidden document's title, who may not read it, who may)
HIDDEN = [
    ("총무과", "2025년 상반기 근무성적평정 결과 보고", "ai_lead", "general_head"),  # restricted
    ("재난안전과", "2025년 재난대응 안전한국훈련 결과보고", "ai_lead", "disaster_staff"),  # dept
]


def _doc_id(store, title: str) -> str:  # noqa: ANN001
    for rec in store.list_documents():
        if rec.title == title:
            return rec.doc_id
    raise AssertionError(f"demo document {title} not found")


def _secret_lines(settings, store, doc_id: str, readable: list[str]) -> list[str]:  # noqa: ANN001
    """Lines of the hidden document that no readable document also contains."""
    others = "\n".join(doc_text(settings, store, d) for d in readable)
    lines = [ln.strip() for ln in doc_text(settings, store, doc_id).split("\n")]
    return [ln for ln in lines if len(ln) >= 12 and ln not in others]


def _dump(profile, proposals) -> str:  # noqa: ANN001
    return profile.model_dump_json() + "".join(p.model_dump_json() for p in proposals)


@pytest.mark.parametrize(("department", "key", "outsider", "insider"), HIDDEN)
def test_hidden_documents_never_reach_profiles_or_proposals(
    ideas_world, department, key, outsider, insider
):
    from control_tower.ideation.service import ideas_for, profile_for
    from control_tower.registry.visibility import Reader

    settings, store = ideas_world
    hidden = _doc_id(store, key)
    out_p: Principal = store.get_user(outsider)
    in_p: Principal = store.get_user(insider)
    assert not Reader(store, out_p).can(hidden) and Reader(store, in_p).can(hidden)
    readable = [r.doc_id for r in store.list_documents() if Reader(store, out_p).can(r.doc_id)]
    secrets = _secret_lines(settings, store, hidden, readable)
    assert secrets
    # positive control: the insider's profile does cite the document
    insider_profile = profile_for(settings, store, in_p, department)
    cited = {c.doc_id for cs in insider_profile.citations.values() for c in cs}
    assert hidden in cited
    profile = profile_for(settings, store, out_p, department)
    proposals = ideas_for(settings, store, out_p, department, 5)
    dumped = _dump(profile, proposals)
    assert hidden not in dumped
    for line in secrets:
        assert line not in dumped, line
    for p in proposals:
        for c in [*p.citations, *(d.citation for d in p.data if d.citation)]:
            assert Reader(store, out_p).can(c.doc_id)


def test_staff_see_only_their_own_department(ideas_world):
    from control_tower.ideation.service import IdeaError, check_view

    _, store = ideas_world
    welfare = store.get_user("welfare_staff")
    with pytest.raises(IdeaError) as err:
        check_view(store, welfare, DEPT)
    assert err.value.status == 403 and "다른 부서" in err.value.message_ko
    assert check_view(store, welfare, "복지정책과") == "복지정책과"
    assert check_view(store, store.get_user("ai_lead"), DEPT) == DEPT
    with pytest.raises(IdeaError) as err:
        check_view(store, welfare, "없는부서")
    assert err.value.status == 404


def test_a_stored_proposal_is_handed_only_to_readers_of_all_its_documents(traffic):
    from control_tower.ideation.repo import IdeaRepo
    from control_tower.ideation.service import IdeaError, accepted_proposals, decide

    _, store, _, proposals, _ = traffic
    ai = store.get_user("ai_lead")
    target = proposals[-1]
    decide(store, ai, target.id, "채택")
    try:
        stored, docs = IdeaRepo(store).get(target.id)
        assert docs and target.id in {p.id for p in accepted_proposals(store, ai)}
        anonymous = Principal.anonymous()  # reads public documents only
        if not all(store.get_document(d).access_level == "public" for d in docs):
            assert target.id not in {p.id for p in accepted_proposals(store, anonymous)}
            with pytest.raises(IdeaError):
                decide(store, store.get_user("welfare_staff"), target.id, "보류")
    finally:
        decide(store, ai, target.id, "제안")


@pytest.fixture
def api(ideas_world):
    from serving.app import create_app

    settings, _ = ideas_world
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def _session(client, user: str) -> dict:  # noqa: ANN001
    client.cookies.clear()
    return auth_headers(login(client, user, DEMO_PASSWORDS[user]))


def test_api_needs_a_session_and_the_right_department(api):
    r = api.get("/api/v1/ideas", params={"department": DEPT})
    assert r.status_code == 401 and r.json()["detail"]["message"]
    _session(api, "traffic_staff")
    wrong = api.get("/api/v1/ideas", params={"department": "복지정책과"})
    assert wrong.status_code == 403 and "다른 부서" in wrong.json()["detail"]["message"]
    ok = api.get("/api/v1/ideas", params={"department": DEPT, "top": 2})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert 1 <= len(body["proposals"]) <= 2
    paths = [c["path"] for p in body["proposals"] for c in p["citations"]]
    assert paths and not [x for x in paths if x.startswith("/")]  # no server paths for staff


def test_api_decision_needs_csrf_and_the_right_role(api):
    headers = _session(api, "traffic_staff")
    pid = api.get("/api/v1/ideas", params={"department": DEPT, "top": 1}).json()["proposals"][0][
        "id"
    ]
    url = f"/api/v1/ideas/{pid}/decision"
    assert api.post(url, json={"status": "채택"}, headers=headers).status_code == 403
    headers = _session(api, "traffic_head")
    assert api.post(url, json={"status": "채택"}).status_code == 403  # no CSRF token
    assert api.post(url, json={"status": "없음"}, headers=headers).status_code == 422
    ok = api.post(url, json={"status": "채택"}, headers=headers)
    assert ok.status_code == 200 and ok.json()["status"] == "채택"
    missing = api.post("/api/v1/ideas/idea-000000000000/decision", json={"status": "채택"},
                       headers=headers)  # fmt: skip
    assert missing.status_code == 404
    api.post(url, json={"status": "제안"}, headers=headers)
