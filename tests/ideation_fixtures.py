"""A module-scoped private copy of the built demo registry for the ideation tests, and the
proposals of 교통정책과 computed once on it (ideation takes seconds; the tests read them)."""

from __future__ import annotations

import shutil

import pytest

from tests.registry_demo_fixtures import demo_settings

DEPT = "교통정책과"


@pytest.fixture(scope="module")
def ideas_world(demo_registry, tmp_path_factory):
    """(settings, store) of a private copy of the demo data dir."""
    from control_tower.store import open_store

    settings, _ = demo_registry
    data = tmp_path_factory.mktemp("ideas") / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("*.lock"))
    s = demo_settings(data, settings.models_dir)
    return s, open_store(s)


@pytest.fixture(scope="module")
def traffic(ideas_world):
    """(settings, store, traffic_staff, proposals of 교통정책과, seconds taken)."""
    import time

    from control_tower.ideation.service import ideas_for

    settings, store = ideas_world
    staff = store.get_user("traffic_staff")
    t = time.perf_counter()
    proposals = ideas_for(settings, store, staff, DEPT, 5)
    return settings, store, staff, proposals, time.perf_counter() - t


def doc_text(settings, store, doc_id: str) -> str:  # noqa: ANN001
    """The document's full text, as citations index it."""
    from control_tower.store.parsed import parsed_copies
    from ingest.chunking import full_text

    rec = store.get_document(doc_id)
    parsed = parsed_copies(settings.data_dir).load(doc_id, max(rec.version, 1))
    return full_text(parsed)
