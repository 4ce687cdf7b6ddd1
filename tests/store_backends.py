"""Store backends for the conformance suite: SQLite in a temp dir, and PostgreSQL on the server
the test machines provide (127.0.0.1:5432, database ``test``, trust auth).

Each PostgreSQL test gets a fresh database (created from ``test``, dropped afterwards), so
tests never see each other's rows. Where no server answers, PostgreSQL tests skip with the
reason; set ``CT_TEST_POSTGRES_URL`` to point elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from control_tower.store.store import engine_url

POSTGRES_URL = os.environ.get("CT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _admin_engine() -> sa.Engine:
    return sa.create_engine(engine_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")


def postgres_reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        eng = _admin_engine()
        with eng.connect() as c:
            c.execute(sa.text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "skip, and say why"
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {exc}"


def fresh_postgres_url() -> Iterator[str]:
    why = postgres_reachable()
    if why:
        pytest.skip(why)
    name = f"ct_test_{uuid.uuid4().hex[:12]}"
    eng = _admin_engine()
    with eng.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(engine_url(POSTGRES_URL)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with eng.connect() as c:
            c.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'control_tower.db'}"
    else:
        yield from fresh_postgres_url()
