"""Probes of the unauthenticated health routes: ``/healthz`` and ``/readyz`` answer anyone
(load balancers call them without a login), so they must carry no secret and no server path —
no database URL with its password, no data folder, no exception text naming files.
(Found by probing: both were shown to anyone until b977eed.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.store_backends import fresh_postgres_url

PASSWORD = "s3cret-db-pass-42"


@pytest.fixture
def pg_url_with_password():
    gen = fresh_postgres_url()
    url = next(gen)
    try:
        # trust auth on the test server: the password is accepted and ignored
        yield sa.make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
    finally:
        next(gen, None)


def test_readyz_never_shows_the_database_password(settings, pg_url_with_password):
    from serving.app import create_app

    app = create_app(settings.model_copy(update={"database_url": pg_url_with_password}))
    try:
        r = TestClient(app).get("/readyz")
        assert r.status_code in (200, 503)
        assert PASSWORD not in r.text
    finally:
        app.state.services.store.close()


def test_readyz_never_shows_the_data_folder(settings):
    from serving.app import create_app

    app = create_app(settings.model_copy(update={"models_dir": settings.data_dir / "nomodels"}))
    r = TestClient(app).get("/readyz")
    assert r.status_code in (200, 503)
    assert str(settings.data_dir) not in r.text


def test_healthz_says_only_ok(settings):
    from serving.app import create_app

    r = TestClient(create_app(settings)).get("/healthz")
    assert r.json() == {"status": "ok"}


def test_readyz_masks_the_database_password_even_for_admins(settings, pg_url_with_password):
    from serving.app import create_app
    from tests.auth_helpers import login, make_user

    app = create_app(settings.model_copy(update={"database_url": pg_url_with_password}))
    try:
        make_user(app.state.services.store, "root", "정보통신과", ["admin"])
        c = TestClient(app)
        login(c, "root")
        r = c.get("/readyz")
        assert "127.0.0.1" in r.text  # the admin does get the details …
        assert PASSWORD not in r.text  # … but never the password
    finally:
        app.state.services.store.close()
