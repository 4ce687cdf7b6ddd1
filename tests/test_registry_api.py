"""Registry JSON API on the built demo registry, as real signed-in users (sessions with CSRF,
API keys): cards, edits, links, link detail, the build job and the review upload."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.auth_helpers import auth_headers, login
from tests.upload_helpers import wait_job

DEMO = {"admin": "demo-admin-2026", "ai_lead": "demo-ai-2026", "traffic_staff": "demo-staff-2026"}


@pytest.fixture
def api(demo_copy):
    from serving.app import create_app

    app = create_app(demo_copy)
    with TestClient(app, follow_redirects=False) as client:
        yield client, demo_copy


def _session(client, user: str) -> dict:
    return auth_headers(login(client, user, DEMO[user]))


def test_registry_needs_a_signed_in_caller(api):
    client, _ = api
    r = client.get("/api/v1/registry")
    assert r.status_code == 401 and r.json()["detail"]["message"]


def _paths(cards: list[dict]) -> list[str]:
    return [s["path"] for c in cards for s in c["sources"]]


def test_cards_show_server_paths_to_admins_only(api):
    client, _ = api
    _session(client, "traffic_staff")
    staff = client.get("/api/v1/registry")
    assert staff.status_code == 200 and staff.json()["cards"]
    assert not [p for p in _paths(staff.json()["cards"]) if p.startswith("/")]
    assert "/demo_corpus/" not in staff.text
    client.cookies.clear()
    _session(client, "admin")
    admin = client.get("/api/v1/registry").json()["cards"]
    assert all(p.startswith("/") for p in _paths(admin))


def test_card_detail_and_unknown_card(api):
    client, _ = api
    _session(client, "traffic_staff")
    card = client.get("/api/v1/registry").json()["cards"][0]
    detail = client.get(f"/api/v1/registry/{card['id']}")
    assert detail.status_code == 200 and detail.json()["history"] == []
    assert "passages" in detail.json()
    missing = client.get("/api/v1/registry/p-000000000000")
    assert missing.status_code == 404 and "찾을 수 없" in missing.json()["detail"]["message"]


def test_edits_need_the_right_role_a_csrf_token_and_a_valid_value(api):
    client, _ = api
    headers = _session(client, "traffic_staff")
    card = next(c for c in client.get("/api/v1/registry").json()["cards"] if c["budget_eok"])
    url = f"/api/v1/registry/{card['id']}"
    assert client.patch(url, json={"set": {"status": "보류"}}, headers=headers).status_code == 403
    client.cookies.clear()
    headers = _session(client, "ai_lead")
    no_csrf = client.patch(url, json={"set": {"status": "보류"}})
    assert no_csrf.status_code == 403
    bad = client.patch(url, json={"set": {"budget_eok": "많이"}}, headers=headers)
    assert bad.status_code == 422 and "올바르지 않습니다" in bad.json()["detail"]["message"]
    empty = client.patch(url, json={}, headers=headers)
    assert empty.status_code == 400
    ok = client.patch(url, json={"set": {"budget_eok": 99.5}}, headers=headers)
    assert ok.status_code == 200 and ok.json()["budget_eok"] == 99.5
    assert ok.json()["fields"]["budget_eok"]["by"] == "ai_lead"
    back = client.patch(url, json={"revert": ["budget_eok"]}, headers=headers)
    assert back.json()["budget_eok"] == card["budget_eok"]
    history = client.get(url).json()["history"]
    assert history[0]["field"] == "budget_eok" and history[0]["reverted_by"] == "ai_lead"


def test_links_and_a_link_detail_with_its_rationale(api):
    client, _ = api
    _session(client, "ai_lead")
    data = client.get("/api/v1/links", params={"type": "중복"}).json()
    assert data["links"] and {lk["type"] for lk in data["links"]} == {"중복"}
    lk = data["links"][0]
    detail = client.get("/api/v1/links/detail", params={"a": lk["a"], "b": lk["b"]})
    assert detail.status_code == 200
    assert detail.json()["rationale"] and detail.json()["rationale_method"] == "rule"  # no LLM
    assert len(detail.json()["evidence"]) == 2
    gone = client.get("/api/v1/links/detail", params={"a": lk["a"], "b": "p-000000000000"})
    assert gone.status_code == 404
    assert client.get("/api/v1/links", params={"type": "모름"}).status_code == 422


def test_review_upload_returns_the_verdict_and_a_markdown_report(api, tmp_path):
    from control_tower.demo.proposals import write_proposals

    client, _ = api
    headers = _session(client, "traffic_staff")
    path = next(p for p in write_proposals(tmp_path) if "빅데이터_통합_플랫폼" in p.name)
    files = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    r = client.post("/api/v1/review", files=files, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "재검토" and r.json()["matches"]
    md = client.post("/api/v1/review", params={"format": "markdown"}, files=files, headers=headers)
    assert md.headers["content-type"].startswith("text/markdown") and "재검토" in md.text
    junk = {"file": ("x.pdf", b"%PDF-1.4 broken", "application/pdf")}
    bad = client.post("/api/v1/review", files=junk, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"]["message"]


def test_the_build_job_is_for_the_ai_division_and_admins(api):
    client, _ = api
    headers = _session(client, "traffic_staff")
    assert client.post("/api/v1/registry/build", json={}, headers=headers).status_code == 403
    client.cookies.clear()
    headers = _session(client, "ai_lead")
    r = client.post("/api/v1/registry/build", json={"use_llm": False}, headers=headers)
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["job_id"], headers, timeout=300)
    assert job["state"] == "succeeded", job
    assert job["result"]["cards"] > 30 and job["result"]["unchanged"] == job["result"]["cards"]
