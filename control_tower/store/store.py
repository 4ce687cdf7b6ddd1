"""The document store: documents, their version history, ingest runs and users.

One ``Store`` per process; it is thread-safe (a session per call). SQLite runs in WAL mode
with a busy timeout so the web app can read while ``ct ingest`` writes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import create_engine, delete, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from control_tower.domain import DocumentMeta, Principal, Role, now
from control_tower.store.migrate import upgrade_database
from control_tower.store.models import (
    DocumentRow,
    DocumentVersionRow,
    IngestRunRow,
    UserRow,
)
from control_tower.store.records import DocumentRecord, DocumentVersionRecord, IngestRunRecord

PENDING = "pending"
INDEXED = "indexed"


def engine_url(url: str) -> str:
    """``postgresql://`` without a driver means pg8000 (pure Python, BSD) — the driver we ship;
    SQLAlchemy's default would be psycopg2, which is not installed (and is LGPL)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+pg8000://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = engine_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _doc_record(row: DocumentRow) -> DocumentRecord:
    return DocumentRecord.model_validate(row, from_attributes=True)


class Store:
    def __init__(self, database_url: str):
        if database_url.startswith("sqlite:///"):
            db_path = database_url.removeprefix("sqlite:///")
            if db_path and db_path != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(db_path)), exist_ok=True)
        self.engine = make_engine(database_url)
        upgrade_database(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """A session for reads (close it: ``with store.session() as s``)."""
        return self._sessions()

    def begin(self):
        """A session in a transaction, committed on exit: ``with store.begin() as s``."""
        return self._sessions.begin()

    def close(self) -> None:
        self.engine.dispose()

    # --- users ---------------------------------------------------------------------------
    def get_user(self, username: str) -> Principal | None:
        with self.session() as s:
            row = s.get(UserRow, username)
            return _principal(row) if row else None

    def upsert_user(self, principal: Principal, *, display_name: str | None = None) -> None:
        with self._sessions.begin() as s:
            row = s.get(UserRow, principal.username)
            if row is None:
                row = UserRow(username=principal.username)
                s.add(row)
            row.department = principal.department
            row.roles = sorted(r.value for r in principal.roles)
            if display_name is not None:
                row.display_name = display_name

    def list_users(self) -> list[Principal]:
        with self.session() as s:
            return [_principal(r) for r in s.scalars(select(UserRow).order_by(UserRow.username))]

    # --- documents -----------------------------------------------------------------------
    def get_document(self, doc_id: str) -> DocumentRecord | None:
        with self.session() as s:
            row = s.get(DocumentRow, doc_id)
            return _doc_record(row) if row else None

    def get_document_by_path(self, source_path: str) -> DocumentRecord | None:
        with self.session() as s:
            row = s.scalars(select(DocumentRow).where(DocumentRow.source_path == source_path))
            row = row.first()
            return _doc_record(row) if row else None

    def list_documents(self, *, status: str | None = None) -> list[DocumentRecord]:
        with self.session() as s:
            q = select(DocumentRow).order_by(DocumentRow.source_path)
            if status is not None:
                q = q.where(DocumentRow.status == status)
            return [_doc_record(r) for r in s.scalars(q)]

    def documents_under(self, folder: str) -> list[DocumentRecord]:
        """Documents whose source path lies inside ``folder`` (a canonical absolute path)."""
        prefix = folder.rstrip(os.sep) + os.sep
        with self.session() as s:
            q = select(DocumentRow).where(
                DocumentRow.source_path.startswith(prefix, autoescape=True)
            )
            return [_doc_record(r) for r in s.scalars(q)]

    def begin_document(self, meta: DocumentMeta, *, extra: dict | None = None) -> None:
        """Record that ``meta.version`` is about to be written to the indexes (status pending).

        Committed *before* any index write, so a crash leaves a trace the next run repairs.
        """
        with self._sessions.begin() as s:
            row = s.get(DocumentRow, meta.doc_id)
            ts = now()
            if row is None:
                row = DocumentRow(doc_id=meta.doc_id, created_at=ts, chunk_count=0)
                s.add(row)
            _apply_meta(row, meta)
            row.version = meta.version
            row.content_hash = meta.content_hash
            row.status = PENDING
            row.reason = None
            row.message = None
            row.extra = dict(extra or {})
            row.updated_at = ts

    def mark_indexed(self, doc_id: str, *, chunk_count: int, run_id: str | None) -> None:
        with self._sessions.begin() as s:
            row = s.get(DocumentRow, doc_id)
            if row is None:
                raise KeyError(doc_id)
            ts = now()
            row.status = INDEXED
            row.chunk_count = chunk_count
            row.reason = None
            row.message = None
            row.updated_at = ts
            row.indexed_at = ts
            existing = s.scalars(
                select(DocumentVersionRow).where(
                    DocumentVersionRow.doc_id == doc_id, DocumentVersionRow.version == row.version
                )
            ).first()
            if existing is None:
                s.add(
                    DocumentVersionRow(
                        doc_id=doc_id,
                        version=row.version,
                        content_hash=row.content_hash or "",
                        chunk_count=chunk_count,
                        run_id=run_id,
                        indexed_at=ts,
                    )
                )

    def mark_unindexable(
        self,
        meta: DocumentMeta,
        *,
        status: str,
        reason: str,
        message: str,
        extra: dict | None = None,
    ) -> None:
        """A file we looked at and could not (or would not) index: nothing of it is in the
        indexes any more (the caller removed old chunks first)."""
        with self._sessions.begin() as s:
            row = s.get(DocumentRow, meta.doc_id)
            ts = now()
            if row is None:
                row = DocumentRow(doc_id=meta.doc_id, created_at=ts, version=0)
                s.add(row)
            _apply_meta(row, meta)
            row.content_hash = meta.content_hash
            row.status = status
            row.reason = reason
            row.message = message
            row.chunk_count = 0
            row.extra = dict(extra or row.extra or {})
            row.updated_at = ts

    def set_status(self, doc_id: str, status: str, *, reason: str, message: str) -> None:
        with self._sessions.begin() as s:
            row = s.get(DocumentRow, doc_id)
            if row is None:
                return
            row.status = status
            row.reason = reason
            row.message = message
            row.chunk_count = 0
            row.updated_at = now()

    def delete_document(self, doc_id: str) -> None:
        with self._sessions.begin() as s:
            s.execute(delete(DocumentVersionRow).where(DocumentVersionRow.doc_id == doc_id))
            s.execute(delete(DocumentRow).where(DocumentRow.doc_id == doc_id))

    def versions(self, doc_id: str) -> list[DocumentVersionRecord]:
        with self.session() as s:
            q = (
                select(DocumentVersionRow)
                .where(DocumentVersionRow.doc_id == doc_id)
                .order_by(DocumentVersionRow.version)
            )
            return [
                DocumentVersionRecord.model_validate(r, from_attributes=True) for r in s.scalars(q)
            ]

    # --- ingest runs ---------------------------------------------------------------------
    def start_run(self, paths: Sequence[str]) -> str:
        run_id = uuid.uuid4().hex
        with self._sessions.begin() as s:
            s.add(
                IngestRunRow(
                    run_id=run_id,
                    started_at=now(),
                    state="running",
                    paths=list(paths),
                    counts={},
                    pid=os.getpid(),
                )
            )
        return run_id

    def finish_run(self, run_id: str, *, counts: dict[str, int], state: str = "completed") -> None:
        with self._sessions.begin() as s:
            row = s.get(IngestRunRow, run_id)
            if row is None:
                return
            row.finished_at = now()
            row.state = state
            row.counts = dict(counts)

    def mark_stale_runs_interrupted(self, *, except_run: str | None = None) -> int:
        """Runs still 'running' when a new run holds the ingest lock were killed."""
        with self._sessions.begin() as s:
            rows = s.scalars(select(IngestRunRow).where(IngestRunRow.state == "running")).all()
            n = 0
            for row in rows:
                if row.run_id == except_run:
                    continue
                row.state = "interrupted"
                row.finished_at = now()
                n += 1
            return n

    def get_run(self, run_id: str) -> IngestRunRecord | None:
        with self.session() as s:
            row = s.get(IngestRunRow, run_id)
            return IngestRunRecord.model_validate(row, from_attributes=True) if row else None

    def list_runs(self) -> list[IngestRunRecord]:
        with self.session() as s:
            q = select(IngestRunRow).order_by(IngestRunRow.started_at)
            return [IngestRunRecord.model_validate(r, from_attributes=True) for r in s.scalars(q)]


def _apply_meta(row: DocumentRow, meta: DocumentMeta) -> None:
    row.source_path = meta.source_path
    row.title = meta.title
    row.department = meta.department
    row.access_level = meta.access_level.value
    row.allowed_users = list(meta.allowed_users)
    row.allowed_departments = list(meta.allowed_departments)
    row.doc_type = meta.doc_type
    row.doc_date = meta.doc_date if isinstance(meta.doc_date, date) else None


def _principal(row: UserRow) -> Principal:
    return Principal(
        username=row.username,
        department=row.department,
        roles={Role(r) for r in (row.roles or [])},
    )


def users_from_dicts(items: Iterable[dict]) -> list[Principal]:
    """Principals from JSON user entries (``username``, ``department``, ``roles``)."""
    return [
        Principal(
            username=it["username"],
            department=it.get("department"),
            roles={Role(r) for r in it.get("roles", ["staff"])},
        )
        for it in items
    ]


__all__ = ["Store", "PENDING", "INDEXED", "users_from_dicts"]
