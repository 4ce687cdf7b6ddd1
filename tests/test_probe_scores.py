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
    """Non-admins get the order only, not the raw score (defence in depth: the weights are
    counted over the readable chunks, see the test below and docs/RETRIEVAL.md)."""
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


def test_order_of_own_results_does_not_depend_on_hidden_documents(app_client):
    """Two own documents (word X twice / word Y once): the query 'X Y' ranks the X one first,
    and still does after other departments' hidden documents made X common — the weights a
    caller sees are counted over what they may read (control_tower/index/bm25_scope.py)."""
    c = app_client
    x, y = "qzorderwordx", "qzorderwordy"
    own = upload_and_wait(
        c,
        [
            ("엑스 문서.txt", f"포항시 주차 자료 {x} 와 {x} 가 나옵니다.\n".encode()),
            ("와이 문서.txt", f"포항시 주차 자료 {y} 가 한 번 나옵니다.\n".encode()),
        ],
        c.keys["kim"],
        access="department",
    )
    ids = [i["data"]["doc_id"] for i in own["items"]]
    c.app.state.services.index.sparse.wait_for_refresh(timeout=30)

    def order() -> list[str]:
        r = c.get(
            "/api/v1/search", params={"q": f"{x} {y}", "mode": "sparse"}, headers=c.keys["kim"]
        )
        return [h["doc_id"] for h in r.json()["results"] if h["doc_id"] in ids]

    before = order()
    assert before == ids  # X twice beats Y once while both words are equally rare
    hidden = [
        (f"복지 비밀 {i}.txt", f"복지정책과 내부 자료 {i}번. {x} 관련 사례입니다.\n".encode())
        for i in range(6)
    ]
    upload_and_wait(c, hidden, c.keys["park"], access="department")
    c.app.state.services.index.sparse.wait_for_refresh(timeout=30)
    assert order() == before  # kim cannot read one of park's documents
