"""`GET /api/v1/search` errors: the query limit counts NFC characters and says so in Korean,
and every error body the route can return validates against the schema the published
OpenAPI document gives for that status."""

from __future__ import annotations

import unicodedata

import jsonschema
import pytest
from fastapi.testclient import TestClient

from control_tower.health import StartupState
from control_tower.retrieval.retriever import MAX_QUERY_CHARS
from serving.app import create_app
from tests.auth_helpers import login, make_user

SYLLABLES = "포항시교통복지예산"
SEARCH = "/api/v1/search"


@pytest.fixture
def app(settings):
    app = create_app(settings, startup=StartupState(phase="ready", llm_required=False))
    make_user(app.state.services.store, "lee", "교통정책과", ["staff"])
    return app


@pytest.fixture
def client(app):
    client = TestClient(app)
    login(client, "lee")
    return client


def _schema_validator(app, path: str, status: int) -> jsonschema.Draft202012Validator:
    doc = app.openapi()
    responses = doc["paths"][path]["get"]["responses"]
    assert str(status) in responses, f"{status} not published for {path}: {sorted(responses)}"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({**schema, "components": doc["components"]})


def _assert_published(app, response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    _schema_validator(app, SEARCH, status).validate(body)
    assert body["detail"]["code"] == code
    message = body["detail"]["message"]
    assert any("\uac00" <= ch <= "\ud7a3" for ch in message), message  # Korean


def test_too_long_query_is_refused_in_korean(app, client):
    r = client.get(SEARCH, params={"q": (SYLLABLES * 200)[: MAX_QUERY_CHARS + 1]})
    _assert_published(app, r, 400, "query_too_long")
    assert r.json()["detail"]["message"].startswith("검색어가 너무 깁니다")


def test_ten_thousand_characters_get_the_korean_error(app, client):
    # (10,000 Hangul syllables are a 90 KB URL, over httpx's client-side limit: that case
    # runs against a real uvicorn server in test_search_server.py.)
    r = client.get(SEARCH, params={"q": "a" * 10_000})
    _assert_published(app, r, 400, "query_too_long")


def test_nfd_query_is_counted_after_nfc(app, client):
    query = unicodedata.normalize("NFD", (SYLLABLES * 100)[:504])
    assert len(query) > MAX_QUERY_CHARS  # the old Query(max_length=…) refused this
    r = client.get(SEARCH, params={"q": query, "k": 3})
    assert r.status_code == 200, r.text
    assert r.json()["results"] == []  # nothing is indexed; the point is it was searched
    # …and an NFD query over the limit after NFC gets the Korean error, not a generic one
    too_long = unicodedata.normalize("NFD", (SYLLABLES * 200)[: MAX_QUERY_CHARS + 1])
    r = client.get(SEARCH, params={"q": too_long})
    _assert_published(app, r, 400, "query_too_long")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"q": "   "}, 400, "empty_query"),
        ({"q": "버스", "mode": "fuzzy"}, 400, "bad_mode"),
        ({"q": "버스", "date_from": "2025-02-01", "date_to": "2025-01-01"}, 400, "bad_date_range"),
        ({"q": "버스", "k": "many"}, 422, "validation_error"),
        ({"q": "버스", "k": 0}, 422, "validation_error"),
        ({"q": "버스", "k": 101}, 422, "validation_error"),
        ({"q": "버스", "date_from": "어제"}, 422, "validation_error"),
        ({}, 422, "validation_error"),
    ],
)
def test_every_error_body_matches_the_published_schema(app, client, params, status, code):
    _assert_published(app, client.get(SEARCH, params=params), status, code)


def test_unauthenticated_error_matches_the_published_schema(app):
    _assert_published(app, TestClient(app).get(SEARCH, params={"q": "버스"}), 401, "login_required")


def test_unusable_index_is_a_published_503_not_a_500(app, client, settings):
    # A collection made with another embedding model: the index refuses to open.
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    chroma = chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    chroma.create_collection(
        settings.chroma_collection,
        metadata={"embedding_model": "other-model", "embedding_dimension": 8},
    )
    r = client.get(SEARCH, params={"q": "버스"})
    _assert_published(app, r, 503, "embedding_model_mismatch")


def test_route_declares_the_error_responses(app):
    responses = app.openapi()["paths"][SEARCH]["get"]["responses"]
    for status in ("400", "401", "403", "422", "503"):
        ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorResponse")
