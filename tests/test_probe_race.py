"""Probe of the stale-snapshot window: the web app's keyword index rebuilds its in-memory
snapshot in a background thread and keeps answering from the old one meanwhile. A document
whose access was just narrowed (re-uploaded as department-only) must be invisible to other
departments at once — in every search mode, on the page and in the API — not only after the
rebuild."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.upload_helpers import build_app, make_users, upload_and_wait

NAME = "청사 공지.txt"
TEXT = "포항시 청사 qznarrowedphrase 공지 사항입니다. 주차 배정 기준이 바뀝니다.\n".encode()


@pytest.fixture
def live_index_client(settings, store, embedder):
    """The app with the web app's index: BM25 snapshot refreshed in the background."""
    from control_tower.index import Index
    from control_tower.index.bm25_backend import BM25ChunkIndex
    from control_tower.index.chroma_backend import ChromaChunkIndex

    index = Index(
        ChromaChunkIndex(settings, embedder), BM25ChunkIndex(settings, background_refresh=True)
    )
    app = build_app(settings, store, index)
    keys = make_users(store)
    with TestClient(app) as c:
        c.keys, c.index = keys, index
        yield c


def _park_sees(c, doc_id: str) -> list[str]:
    seen = []
    for mode in ("sparse", "dense", "hybrid"):
        r = c.get(
            "/api/v1/search",
            params={"q": "qznarrowedphrase 청사 공지", "mode": mode, "k": 50},
            headers=c.keys["park"],
        )
        assert r.status_code == 200, r.text
        if any(
            h["doc_id"] == doc_id or "qznarrowedphrase" in h["text"] for h in r.json()["results"]
        ):
            seen.append(mode)
    return seen


def test_narrowed_access_applies_before_the_snapshot_is_rebuilt(live_index_client):
    c = live_index_client
    job = upload_and_wait(c, [(NAME, TEXT)], c.keys["kim"], access="internal")
    doc_id = job["items"][0]["data"]["doc_id"]
    c.index.sparse.wait_for_refresh(timeout=30)
    assert _park_sees(c, doc_id) == ["sparse", "dense", "hybrid"]  # internal: everyone
    job = upload_and_wait(c, [(NAME, TEXT)], c.keys["kim"], access="department")
    assert job["items"][0]["status"] == "updated", job
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:  # the window in which the old snapshot may answer
        assert _park_sees(c, doc_id) == []
    c.index.sparse.wait_for_refresh(timeout=30)
    assert _park_sees(c, doc_id) == []
    kim = c.get(
        "/api/v1/search", params={"q": "qznarrowedphrase", "mode": "sparse"}, headers=c.keys["kim"]
    )
    assert any(h["doc_id"] == doc_id for h in kim.json()["results"])  # the owners still do
