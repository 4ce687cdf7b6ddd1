"""Probe of a side channel: search scores must not depend on documents the caller cannot read.

Keyword (BM25) scores weigh a word by how many documents contain it. If that count includes
documents the caller may not read, the score of the caller's own document tells them whether
a word occurs in hidden documents — a fact about documents they may not read — because the
API returns ``score`` (and the ranks that follow from it).
"""

from __future__ import annotations

import pytest

from tests import upload_helpers
from tests.upload_helpers import upload_and_wait

app_client = upload_helpers.app_client  # fixture

PROBE, CONTROL = "qzprobeterm", "qzcontrolterm"
OWN = f"포항시 주차 계획 문서입니다. {PROBE} 그리고 {CONTROL} 가 한 번씩 나옵니다.\n".encode()


def _score(c, key, q: str, doc_id: str) -> float:
    r = c.get("/api/v1/search", params={"q": q, "mode": "sparse", "k": 50}, headers=key)
    assert r.status_code == 200, r.text
    scores = [h["score"] for h in r.json()["results"] if h["doc_id"] == doc_id]
    assert scores, r.json()
    return scores[0]


@pytest.mark.xfail(
    strict=True,
    reason="sparse (BM25) scores use document frequencies over the whole corpus, hidden "
    "documents included: a word that occurs in other departments' department-only documents "
    "scores the caller's own document differently, and /api/v1/search returns the score "
    "(control_tower/index/bm25_backend.py scores over all chunks before the access filter)",
)
def test_keyword_scores_do_not_depend_on_unreadable_documents(app_client):
    c = app_client
    own = upload_and_wait(c, [("내 문서.txt", OWN)], c.keys["kim"], access="department")
    doc_id = own["items"][0]["data"]["doc_id"]
    c.app.state.services.index.sparse.wait_for_refresh(timeout=30)
    before = (_score(c, c.keys["kim"], PROBE, doc_id), _score(c, c.keys["kim"], CONTROL, doc_id))
    assert before[0] == pytest.approx(before[1])  # the two words weigh the same …
    hidden = [
        (f"복지 비밀 {i}.txt", f"복지정책과 내부 자료 {i}번. {PROBE} 관련 사례입니다.\n".encode())
        for i in range(4)
    ]
    job = upload_and_wait(c, hidden, c.keys["park"], access="department")
    assert {i["status"] for i in job["items"]} == {"indexed"}
    c.app.state.services.index.sparse.wait_for_refresh(timeout=30)
    # … and still do for kim, who cannot read any of park's documents
    after = (_score(c, c.keys["kim"], PROBE, doc_id), _score(c, c.keys["kim"], CONTROL, doc_id))
    assert after[0] == pytest.approx(after[1]), (before, after)
