"""OpenAPI-driven fuzz run (schemathesis) against the real app, in process over ASGI.

Three passes over every operation of ``/api/openapi.json``:

- unauthenticated: no 500, and no 2xx on any protected route (everything under /api/v1 except
  login) — the issue's "no unauthenticated 200 on a protected route";
- as an admin with an API key: no 500, and responses conform to the published schema (status
  codes, content types, bodies);
- as a staff member: no 500, documented status codes, and no 2xx from admin or AI-division
  operations.

The app is a fresh one on a temporary data folder with a few real documents ingested, NOT the
browser tests' shared server: the fuzzer may delete documents, change the admin's password or
add users, and must not disturb other tests. Bounded (12 valid and 12 invalid examples per
operation, fixed seed, no shrinking) so the passes take one to two minutes on 2 cores.

Excluded from the authenticated passes, and why (the unauthenticated pass covers them all):
- operations whose response is ``text/event-stream`` (job progress over SSE): they stream until
  the job ends, which a fuzzer cannot bound usefully; their access check is tested in the jobs
  tests;
- the calls that end the fuzzer's own credentials (logout, logout everywhere, revoking API
  keys, changing its password, disabling users or resetting their passwords).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode  # noqa: E402

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[1]

PUBLIC = re.compile(r"^/(healthz|readyz)$|^/api/v1/auth/login$")
# What ends the fuzzer's own admin credentials if it succeeds (authenticated pass only).
SELF_DESTRUCTIVE = (
    r"^/api/v1/auth/logout(-all)?$|^/api/v1/me/password$|^/api/v1/me/api-keys/|"
    r"/api-keys/[^/]+/revoke$|/users/[^/]+/(disable|password|reset-password)$"
)
FUZZ = settings(
    max_examples=12,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure shows its first example
    deadline=None,  # latency varies with the machine's load; timed tests are not allowed
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same examples every run: a finding reproduces
    database=None,
)
DOCS = {
    "fuzz-public.md": "# 공개 안내\n\n포항시 버스 노선 개편 안내문입니다. 정류장이 바뀝니다.\n",
    "fuzz-budget.txt": "기획예산과 내부 예산 편성 지침. 부서별 한도와 일정이 적혀 있습니다.\n",
}


def _is_event_stream(operation) -> bool:
    for response in (operation.definition.raw.get("responses") or {}).values():
        if "text/event-stream" in (response.get("content") or {}):
            return True
    return False


@pytest.fixture(scope="module")
def fuzz_app(models_dir: Path):
    """A real app (real SQLite, Chroma, embedder) with an admin, an API key and two documents."""
    from control_tower.settings import Settings, reset_settings_cache
    from ingest.pipeline import ingest_paths
    from serving.app import create_app
    from tests.auth_helpers import api_key, make_user

    # Under test-artifacts/, not pytest's tmp dirs: a concurrent pytest run on the same machine
    # prunes those, and would delete this app's database and index while the fuzzer runs.
    root = REPO_ROOT / "test-artifacts" / f"fuzz-{os.getpid()}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CT_DATA_DIR", str(root / "data"))
        mp.setenv("CT_MODELS_DIR", str(models_dir))
        for var in ("CT_LLM_URL", "CT_CHROMA_URL", "CT_DATABASE_URL", "CT_TRUSTED_HEADER"):
            mp.delenv(var, raising=False)
        reset_settings_cache()
        s = Settings(_env_file=None)
        s.data_dir.mkdir(parents=True, exist_ok=True)
        app = create_app(s)
        services = app.state.services
        make_user(services.store, "fuzz_admin", "정보통신과", ["admin"])
        make_user(services.store, "fuzz_staff", "기획예산과", ["staff"])
        docs = root / "docs"
        docs.mkdir()
        for name, text in DOCS.items():
            (docs / name).write_text(text, "utf-8")
        ingest_paths(
            [str(docs)], s, department="기획예산과", store=services.store, index=services.index
        )
        app.state.fuzz_headers = api_key(services.store, "fuzz_admin")
        app.state.fuzz_staff_headers = api_key(services.store, "fuzz_staff")
        yield app
        reset_settings_cache()
    from schemathesis.python.asgi import shutdown_lifespans

    shutdown_lifespans()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)


def _operations(api_schema, *, skip: str | None = None, streams: bool = False):
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if _is_event_stream(operation) and not streams:
            continue
        if skip and re.search(skip, operation.path):
            continue
        yield operation


def _fuzz(api_schema, check, *, skip: str | None = None, streams: bool = False) -> list[str]:
    """Run ``check(case)`` on generated cases (valid and invalid data) of every operation;
    returns one line per failing operation and mode (all of them, not just the first)."""
    failures = []
    for operation in _operations(api_schema, skip=skip, streams=streams):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                check(case)

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                continue
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together
                lines = [ln for ln in str(exc).strip().splitlines() if ln.strip()][:14]
                failures.append(f"{operation.label} [{mode.value}]:\n    " + "\n    ".join(lines))
    return failures


def test_unauthenticated_no_500_and_no_access(api_schema):
    """Without credentials nothing protected answers 2xx, and nothing answers 5xx."""

    def check(case):
        response = case.call()
        where = f"{case.method} {case.formatted_path} -> {response.status_code}"
        assert response.status_code < 500, f"{where}: {response.text[:300]}"
        if not PUBLIC.search(case.path):
            assert not 200 <= response.status_code < 300, f"unauthenticated access: {where}"

    failures = _fuzz(api_schema, check, streams=True)  # refused at once: no stream to wait on
    assert not failures, "\n".join(failures)


def test_admin_no_500_and_schema_conformance(api_schema, fuzz_app):
    """As an admin (API key): no 5xx, and status, content type and body match the schema."""
    headers = fuzz_app.state.fuzz_headers
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]

    def check(case):
        case.call_and_validate(headers=headers, checks=checks)

    failures = _fuzz(api_schema, check, skip=SELF_DESTRUCTIVE)
    assert not failures, "\n".join(failures)


ADMIN_ONLY = re.compile(r"^/api/v1/(admin/|usage)")


def test_staff_no_500_and_no_admin_access(api_schema, fuzz_app):
    """As a staff member (API key): no 5xx, documented answers, and the admin and AI-division
    operations refuse (never 2xx)."""
    headers = fuzz_app.state.fuzz_staff_headers
    checks = [not_a_server_error, status_code_conformance, content_type_conformance]

    def check(case):
        response = case.call_and_validate(headers=headers, checks=checks)
        if ADMIN_ONLY.search(case.path):
            where = f"{case.method} {case.formatted_path} -> {response.status_code}"
            assert not 200 <= response.status_code < 300, f"staff reached: {where}"

    failures = _fuzz(api_schema, check, skip=SELF_DESTRUCTIVE)
    assert not failures, "\n".join(failures)
