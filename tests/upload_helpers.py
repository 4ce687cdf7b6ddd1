"""Shared by the upload and jobs tests: an app on the test's store and index, users with API
keys (no CSRF needed), upload and wait-for-job helpers."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.auth_helpers import api_key, make_user

TEXT = "포항시 교통정책과 주차장 확충 계획입니다. 공영주차장 3곳을 새로 짓습니다.\n".encode()


def build_app(settings, store, index, **overrides):
    from serving.app import create_app

    app = create_app(settings.model_copy(update={"max_file_mb": 1, **overrides}))
    services = app.state.services
    services.__dict__["store"] = store  # share the test's store and index (one model load)
    services.__dict__["index"] = index
    return app


def make_users(store) -> dict[str, dict[str, str]]:
    make_user(store, "kim", "교통정책과")
    make_user(store, "park", "복지정책과")
    make_user(store, "admin", "정보통신과", ["admin"])
    make_user(store, "bat", "배터리산업과")
    return {u: api_key(store, u) for u in ("kim", "park", "admin", "bat")}


@pytest.fixture
def app_client(settings, store, index):
    app = build_app(settings, store, index)
    keys = make_users(store)
    with TestClient(app) as c:
        c.keys = keys
        yield c


def upload(client, files, headers, params=None, **form):
    """``files``: list of (name, bytes). Sent as the ``files`` list field."""
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
    return client.post(
        "/api/v1/documents", files=parts, data=form, headers=headers, params=params or {}
    )


def wait_job(client, job_id: str, headers, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert r.status_code == 200, r.text
        if r.json()["state"] not in ("queued", "running"):
            return r.json()
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {r.json()}")


def upload_and_wait(client, files, headers, **form) -> dict:
    r = upload(client, files, headers, **form)
    assert r.status_code == 202, r.text
    return wait_job(client, r.json()["job_id"], headers)


@pytest.fixture
def live_server(settings, store, index):
    """The real app under uvicorn on a free port (in a thread); yields (base_url, keys, app)."""
    from tests.uvicorn_thread import serving

    app = build_app(settings, store, index)
    keys = make_users(store)
    # a long keep-alive: no idle-close race with the pooled test client
    with serving(app, lifespan="on", timeout_keep_alive=120) as base_url:
        yield base_url, keys, app
