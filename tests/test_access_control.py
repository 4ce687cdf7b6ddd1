"""Access control through every search surface: Retriever, `ct search --user`, the API.

Real index (Chroma on disk + Kiwi-BM25) holding documents of every access level. Every
document contains "포항시", so a search for it returns exactly what the caller may read —
the assertions compare whole sets, so both leaks and over-filtering fail.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from control_tower.access import ReadScope, read_scope
from control_tower.retrieval import Retriever
from control_tower.retrieval.retriever import doc_id_of
from tests.auth_helpers import api_key
from tests.test_retrieval_fixtures import PRINCIPALS, embedder, retrieval_env  # noqa: F401

READABLE = {
    "anonymous": {"doc-pub"},
    "staff_a": {"doc-pub", "doc-int", "doc-deptA"},
    "staff_b": {"doc-pub", "doc-int", "doc-deptB"},
    "kim_in_c": {"doc-pub", "doc-int", "doc-restr-user", "doc-restr-dept"},
    "staff_c": {"doc-pub", "doc-int", "doc-restr-dept"},
    "admin": {"doc-pub", "doc-int", "doc-deptA", "doc-deptB", "doc-restr-user", "doc-restr-dept"},
}


@pytest.fixture(scope="module")
def retriever(retrieval_env):  # noqa: F811
    return Retriever(retrieval_env.settings, index=retrieval_env.index)


@pytest.mark.parametrize("who", sorted(READABLE))
@pytest.mark.parametrize("mode", ["hybrid", "dense", "sparse"])
def test_retriever_returns_exactly_the_readable_documents(retriever, who, mode):
    hits = retriever.search("포항시", PRINCIPALS[who], k=50, mode=mode, max_per_doc=None)
    assert {h.citation.doc_id for h in hits} == READABLE[who]


def test_department_a_never_sees_department_b_or_restricted(retriever):
    staff_a = PRINCIPALS["staff_a"]
    for query in (
        "기초생활수급자 사례관리",
        "감사 대응 소명서",
        "예산 편성 한도액",
        "복지정책과 전용",
    ):
        for mode in ("hybrid", "dense", "sparse"):
            docs = {h.citation.doc_id for h in retriever.search(query, staff_a, k=20, mode=mode)}
            assert not docs & {"doc-deptB", "doc-restr-user", "doc-restr-dept"}, (query, mode)


def test_restricted_doc_only_for_allow_listed_user(retriever):
    query = "특정 사업자 선정 과정 소명서"
    kim = retriever.search(query, PRINCIPALS["kim_in_c"], k=3)
    assert kim and kim[0].citation.doc_id == "doc-restr-user"
    # choi is in the same department as kim but not on the allow-list.
    choi = retriever.search(query, PRINCIPALS["staff_c"], k=20, max_per_doc=None)
    assert "doc-restr-user" not in {h.citation.doc_id for h in choi}


class _LeakyBackend:
    """A broken backend that ignores the read scope (to prove the retriever's re-check)."""

    def __init__(self, inner):
        self.inner = inner

    def search(self, query, k, scope, filters=None):
        return self.inner.search(query, k, ReadScope(everything=True, levels=[]), filters)


class _LeakyIndex:
    """The real index with a dense search and a sparse backend that ignore the read scope."""

    def __init__(self, inner):
        self.inner = inner
        self.sparse = _LeakyBackend(inner.sparse)

    def dense_search(self, query, k, scope, filters=None):
        return self.inner.dense_search(query, k, ReadScope(everything=True, levels=[]), filters)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_retriever_rechecks_every_hit_even_if_a_backend_leaks(retrieval_env):  # noqa: F811
    leaky = Retriever(retrieval_env.settings, index=_LeakyIndex(retrieval_env.index))
    # Both leaky sides really return forbidden chunks, so the re-check is what stops them.
    scope = read_scope(PRINCIPALS["staff_a"])
    leaked = leaky.index.dense_search("포항시", 50, scope) + leaky.index.sparse.search(
        "포항시", 50, scope
    )
    leaked_docs = {doc_id_of(h.chunk_id) for h in leaked}
    assert leaked_docs - READABLE["staff_a"]
    for who, readable in READABLE.items():
        hits = leaky.search("포항시", PRINCIPALS[who], k=50, max_per_doc=None)
        assert {h.citation.doc_id for h in hits} == readable


# --- ct search ------------------------------------------------------------------------------
@pytest.fixture
def cli_env(retrieval_env, monkeypatch):  # noqa: F811
    from control_tower.settings import reset_settings_cache

    monkeypatch.setenv("CT_DATA_DIR", str(retrieval_env.settings.data_dir))
    monkeypatch.setenv("CT_MODELS_DIR", str(retrieval_env.settings.models_dir))
    for var in ("CT_DATABASE_URL", "CT_CHROMA_URL"):
        monkeypatch.delenv(var, raising=False)
    reset_settings_cache()
    yield retrieval_env
    reset_settings_cache()


def _cli(*args: str):
    from control_tower.cli import app

    return CliRunner().invoke(app, ["search", *args])


@pytest.mark.parametrize(
    "who,username", [("staff_a", "lee"), ("staff_b", "park"), ("kim_in_c", "kim")]
)
def test_cli_search_as_user(cli_env, who, username):
    result = _cli("포항시", "--user", username, "--k", "50", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    docs = {r["doc_id"] for r in payload["results"]}
    assert docs == READABLE[who]
    for r in payload["results"]:
        assert {"doc_id", "title", "path", "department", "page", "section", "score", "text"} <= set(
            r
        )


def test_cli_without_user_is_anonymous_public_only(cli_env):
    result = _cli("포항시", "--k", "50", "--json")
    assert result.exit_code == 0, result.output
    assert {r["doc_id"] for r in json.loads(result.stdout)["results"]} == READABLE["anonymous"]


def test_cli_unknown_user_fails_in_korean(cli_env):
    result = _cli("포항시", "--user", "nobody", "--json")
    assert result.exit_code != 0
    assert "알 수 없는 사용자" in result.output
    assert "Traceback" not in result.output


def test_cli_help_mentions_anonymous_default(cli_env):
    from control_tower.cli import app

    result = CliRunner().invoke(app, ["search", "--help"])
    assert result.exit_code == 0
    assert "익명" in result.output and "공개" in result.output


# --- GET /api/v1/search ---------------------------------------------------------------------
@pytest.fixture
def api(retrieval_env):  # noqa: F811
    from serving.app import create_app

    app = create_app(retrieval_env.settings)
    services = app.state.services
    services.__dict__["store"] = retrieval_env.store  # share the session's objects
    services.__dict__["index"] = retrieval_env.index
    return TestClient(app)


def _get(api, user: str | None, **params):
    """A search authenticated with a fresh API key of ``user`` (no key: anonymous)."""
    headers = api_key(api.app.state.services.store, user) if user else {}
    return api.get("/api/v1/search", params=params, headers=headers)


@pytest.mark.parametrize(
    "who,username",
    [
        ("staff_a", "lee"),
        ("staff_b", "park"),
        ("kim_in_c", "kim"),
        ("staff_c", "choi"),
        ("admin", "root"),
    ],
)
def test_api_search_as_user(api, who, username):
    response = _get(api, username, q="포항시", k=50)
    assert response.status_code == 200, response.text
    assert {r["doc_id"] for r in response.json()["results"]} == READABLE[who]


def test_api_anonymous_and_forged_header_are_401_in_korean(api):
    for headers in ({}, {"X-CT-User": "root"}, {"X-CT-User": quote("관리자")}):
        response = api.get("/api/v1/search", params={"q": "포항시"}, headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"]["code"] == "login_required"
        assert "로그인" in response.json()["detail"]["message"]


def test_api_search_is_audited(api, retrieval_env):  # noqa: F811
    from control_tower.audit import AuditLog

    audit = AuditLog(api.app.state.services.store)
    before = len(audit.read())
    assert _get(api, "park", q="사례관리 인력").status_code == 200
    events = audit.read()
    assert len(events) == before + 1
    last = events[-1]
    assert last.event == "search" and last.surface == "api"
    assert last.username == "park" and last.department == PRINCIPALS["staff_b"].department
    assert last.details["query"] == "사례관리 인력"
