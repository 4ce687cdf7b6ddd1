"""Fixtures for retrieval, search CLI/API and access-control tests (no tests here).

One real index per session: the index engineer's access-level corpus (tests/index_fixtures)
written through ``open_index`` into a temporary data dir — real Chroma on disk, real
Kiwi-BM25, the real prepared embedding model — plus the test users in the real store.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from control_tower.domain import Principal
from control_tower.settings import Settings
from tests.index_fixtures import DOCS, PRINCIPALS, embedder, make_chunks  # noqa: F401

__all__ = ["DOCS", "PRINCIPALS", "embedder", "retrieval_env"]


class RetrievalEnv:
    def __init__(self, settings: Settings, index, store):
        self.settings = settings
        self.index = index
        self.store = store


@pytest.fixture(scope="session")
def retrieval_env(tmp_path_factory, models_dir, embedder) -> RetrievalEnv:  # noqa: F811
    from control_tower.index import open_index
    from control_tower.store import open_store

    data = tmp_path_factory.mktemp("retrieval") / "data"
    data.mkdir()
    settings = Settings(_env_file=None, data_dir=data, models_dir=models_dir)
    index = open_index(settings, embedder=embedder)
    by_doc: dict[str, list] = defaultdict(list)
    for chunk in make_chunks():
        by_doc[chunk.meta.doc_id].append(chunk)
    for doc_id, chunks in by_doc.items():
        index.replace_document(doc_id, chunks)
    store = open_store(settings)
    for p in PRINCIPALS.values():
        if p.authenticated:
            store.upsert_user(p)
    return RetrievalEnv(settings, index, store)


def principal(name: str) -> Principal:
    return PRINCIPALS[name]
