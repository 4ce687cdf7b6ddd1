"""Schema migrations (Alembic), applied automatically whenever a store opens, and by
``ct db upgrade``.

Why on open: the web app, ``ct ingest`` and the job workers all open the store, and any of them
may be the first to run after an upgrade; a half-migrated database must never be used. Two
processes starting at once are serialized by a lock (a file lock beside an SQLite file, an
advisory lock on PostgreSQL). A data folder created before migrations existed (tables made by
``create_all``, no ``alembic_version``) is stamped at the baseline revision first, so its
documents are kept.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
_PG_LOCK_KEY = 7_461_001  # any constant; identifies "Control Tower migrations"


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_database(engine: Engine) -> str:
    """Bring the database to the newest revision; returns it. Cheap when already there."""
    head = head_revision()
    if current_revision(engine) == head:
        return head
    with _migration_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        cfg = _config(conn)
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and "documents" in tables:
            command.stamp(cfg, BASELINE)  # a pre-migration data folder: keep what it holds
        command.upgrade(cfg, "head")
    return head


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """A file lock beside an SQLite database file (PostgreSQL locks inside the transaction)."""
    db = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not db or db == ":memory:":
        yield
        return
    fd = os.open(f"{db}.migrate.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


__all__ = ["BASELINE", "current_revision", "head_revision", "upgrade_database"]
