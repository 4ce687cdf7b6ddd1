"""Probe of a side channel: search scores must not depend on documents the caller cannot read.

Keyword (BM25) scores weigh a word by how many documents contain it. If that count includes
documents the caller may not read, the score of the caller's own document tells them whether
a word occurs in hidden documents — a fact about documents they may not read — because the
API returns ``score`` (and the ranks that follow from it).
"""

from __future__ import annotations

from tests import upload_helpers
from tests.upload_helpers import upload_and_wait

app_client = upload_helpers.app_client  # fixture

PROBE, CONTROL = "qzprobeterm", "qzcontrolterm"
OWN = f"포항시 주차 계획 문서입니다. {PROBE} 그리고 {CONTROL} 가 한 번씩 나옵니다.\n".encode()


def _scores(c, key, q: str, doc_id: str) -> list:
    r = c.get("/api/v1/search", params={"q": q, "mode": "sparse", "k": 50}, headers=key)
    assert r.status_code == 200, r.text
    scores = [h["score"] for h in r.json()["results"] if h["doc_id"] == doc_id]
    assert scores, r.json()
    return scores


def test_keyword_scores_are_not_shown_to_non_admins(app_client):
    """The raw score would reveal whether a word occurs in hidden documents (its weight counts
    every document): non-admins get the order only. The order itself still follows those
    weights — a much weaker channel, noted in docs/RETRIEVAL.md."""
    c = app_client
    own = upload_and_wait(c, [("내 문서.txt", OWN)], c.keys["kim"], access="department")
    doc_id = own["items"][0]["data"]["doc_id"]
    hidden = [
        (f"복지 비밀 {i}.txt", f"복지정책과 내부 자료 {i}번. {PROBE} 관련 사례입니다.\n".encode())
        for i in range(4)
    ]
    job = upload_and_wait(c, hidden, c.keys["park"], access="department")
    assert {i["status"] for i in job["items"]} == {"indexed"}
    c.app.state.services.index.sparse.wait_for_refresh(timeout=30)
    assert _scores(c, c.keys["kim"], PROBE, doc_id) == [None]
    assert _scores(c, c.keys["kim"], CONTROL, doc_id) == [None]
    admin = _scores(c, c.keys["admin"], PROBE, doc_id)
    assert all(isinstance(x, float) for x in admin)
