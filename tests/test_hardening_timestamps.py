"""Every timestamp the API and the CLI's JSON emit carries a UTC offset (clients in other time
zones, the audit CSV and the dashboard must not guess). Walks real responses of a real app
with real data: documents ingested, a search audited, users, departments, API keys, jobs."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from control_tower.cli import app as cli
from control_tower.health import StartupState
from ingest.pipeline import ingest_paths
from serving.app import create_app
from tests.auth_helpers import api_key, login, make_user
from tests.pipeline_fixtures import write_text_corpus

# A date with a time of day, ISO style: the thing that must carry an offset.
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def _timestamps(value, path="$"):
    """(json path, string) of every date-time string in a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _timestamps(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _timestamps(v, f"{path}[{i}]")
    elif isinstance(value, str) and DATETIME.match(value):
        yield path, value


def _naive(value) -> list[tuple[str, str]]:
    return [(p, v) for p, v in _timestamps(value) if not OFFSET.search(v)]


def test_walker_catches_a_naive_timestamp():
    assert _naive({"a": [{"at": "2026-12-01T10:00:00"}]}) == [("$.a[0].at", "2026-12-01T10:00:00")]
    assert not _naive({"at": "2026-12-01T10:00:00+00:00", "d": "2026-12-01"})


@pytest.fixture
def world(tmp_path, settings, store, index):
    corpus = tmp_path / "corpus"
    write_text_corpus(corpus, 2)
    ingest_paths([str(corpus)], settings, store=store, index=index, department="교통정책과")
    app = create_app(settings, startup=StartupState(phase="ready", llm_required=False))
    make_user(store, "root", "기획예산과", ["admin"])
    make_user(store, "lee", "교통정책과", ["staff"])
    return app, store, corpus


def test_api_timestamps_carry_an_offset(world):
    app, store, _ = world
    client = TestClient(app)
    login(client, "lee")
    assert client.get("/api/v1/search", params={"q": "버스 노선"}).status_code == 200
    api_key(store, "lee")
    client.cookies.clear()
    login(client, "root")

    docs = client.get("/api/v1/documents").json()
    doc_id = (docs["documents"] if isinstance(docs, dict) else docs)[0]["doc_id"]
    seen: dict[str, object] = {}
    for url in (
        "/api/v1/me",
        "/api/v1/me/api-keys",
        "/api/v1/search?q=버스",
        "/api/v1/documents",
        f"/api/v1/documents/{doc_id}",
        f"/api/v1/documents/{doc_id}/versions",
        "/api/v1/jobs",
        "/api/v1/admin/users",
        "/api/v1/admin/departments",
        "/api/v1/admin/api-keys",
        "/api/v1/admin/audit",
        "/api/v1/usage",
    ):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        seen[url] = r.json()
    found = {url: list(_timestamps(body)) for url, body in seen.items()}
    # the walk really saw timestamps where there must be some
    for url in ("/api/v1/documents", "/api/v1/admin/users", "/api/v1/admin/audit"):
        assert found[url], (url, seen[url])
    bad = {url: _naive(body) for url, body in seen.items() if _naive(body)}
    assert not bad, bad


def test_cli_json_timestamps_carry_an_offset(world):
    runner = CliRunner()
    outputs = {}
    corpus = str(world[2])
    for args in (
        ["ingest", corpus, "--json"],
        ["users", "list", "--json"],
        ["departments", "list", "--json"],
        ["jobs", "list", "--json"],
        ["db", "status", "--json"],
        ["search", "버스", "--user", "lee", "--json"],
    ):
        r = runner.invoke(cli, args)
        assert r.exit_code == 0, (args, r.output[-500:])
        outputs[" ".join(args)] = json.loads(r.stdout)
    assert list(_timestamps(outputs["users list --json"]))  # created_at at least
    bad = {cmd: _naive(body) for cmd, body in outputs.items() if _naive(body)}
    assert not bad, bad
