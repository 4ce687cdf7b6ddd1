"""SQL tables of the document store (SQLAlchemy 2.0 declarative).

Only portable column types (String, Integer, Date, DateTime(tz), JSON), so the same schema
runs on SQLite (default, WAL) and PostgreSQL (by URL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class AwareDateTime(TypeDecorator):
    """A timestamp that always comes back with its time zone.

    SQLite drops the offset of ``DateTime(timezone=True)`` and hands back naive values, so
    API timestamps lost their zone. Values are stored in UTC and read back as UTC-aware; a
    naive value given to us is taken as the server's local time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.astimezone()  # naive = local time, as now() wrote it
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: AwareDateTime}


class DocumentRow(Base):
    """One source file, identified by its resolved absolute path.

    ``version`` / ``content_hash`` describe the content most recently *attempted*; ``status``
    says whether that attempt finished (``indexed``), is in flight or was interrupted
    (``pending``), or produced nothing to index (``skipped`` / ``failed``).
    """

    __tablename__ = "documents"

    doc_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_path: Mapped[str] = mapped_column(Text, unique=True, index=True)
    title: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(200), index=True)
    access_level: Mapped[str] = mapped_column(String(20))
    allowed_users: Mapped[list] = mapped_column(JSON, default=list)
    allowed_departments: Mapped[list] = mapped_column(JSON, default=list)
    doc_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    doc_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)  # manifest key, doc_no, category…
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime)
    indexed_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)


class DocumentVersionRow(Base):
    """History: one row per content version that was fully indexed."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("doc_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("documents.doc_id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    chunk_count: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    indexed_at: Mapped[datetime] = mapped_column(AwareDateTime)


class IngestRunRow(Base):
    __tablename__ = "ingest_runs"

    run_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(AwareDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(20))  # running | completed | interrupted | failed
    paths: Mapped[list] = mapped_column(JSON, default=list)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)


class UserRow(Base):
    """A local account. ``password_hash`` is argon2id; NULL means no password login (SSO or
    API-key only). Lockout state lives here so it survives restarts and every worker sees it."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    roles: Mapped[list] = mapped_column(JSON, default=list)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)


class DepartmentRow(Base):
    """Departments are managed data: uploads, users and filters must name one of these."""

    __tablename__ = "departments"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # NFC, e.g. 배터리산업과
    code: Mapped[str | None] = mapped_column(String(50), nullable=True, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)


class SessionRow(Base):
    """A login session. ``id`` is the SHA-256 of the cookie value: a stolen database does not
    yield live cookies. Idle expiry uses ``last_seen_at``, absolute expiry ``expires_at``."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(
        String(200), ForeignKey("users.username", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(AwareDateTime)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)


class ApiKeyRow(Base):
    """A per-user API key. The secret is shown once; only its SHA-256 is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # public prefix
    username: Mapped[str] = mapped_column(
        String(200), ForeignKey("users.username", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)


class LoginFailureRow(Base):
    """Failed logins, for per-address rate limiting (per-user lockout is on ``users``)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)


class JobRow(Base):
    """A long-running job (batch ingest, registry build, roadmap draft …) and its progress.

    The task queue carries the work; this row is what people see, and what survives a restart:
    a job found ``running`` by a fresh server is marked ``interrupted`` with a Korean reason.
    """

    __tablename__ = "jobs"

    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # "ingest_upload", …
    state: Mapped[str] = mapped_column(String(20), index=True)
    # queued | running | succeeded | failed | interrupted | cancelled
    owner: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title: Mapped[str] = mapped_column(Text, default="")  # Korean, for people
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)  # current step, Korean
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    items: Mapped[list] = mapped_column(JSON, default=list)  # per-item status (files …)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime)


class AuditEventRow(Base):
    """Who did what, when: logins (and failures), searches, uploads, exports, edits, admin
    actions. Append-only; the AI-adoption dashboard aggregates it."""

    __tablename__ = "audit_events"
    # covers the AI-adoption dashboard's weekly GROUP BY (no table lookups): 2.1 → 1.0 s for
    # 52 weeks at 200k events (docs/BENCHMARKS.md, "Audit log and AI 활용 현황")
    __table_args__ = (
        Index(
            "ix_audit_events_usage",
            "at",
            "outcome",
            "department",
            "event",
            "username",
            "authenticated",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)
    event: Mapped[str] = mapped_column(String(40), index=True)  # search, login, upload, …
    surface: Mapped[str] = mapped_column(String(20))  # web, api, cli, agent
    username: Mapped[str] = mapped_column(String(200), index=True)
    department: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    authenticated: Mapped[bool] = mapped_column(Boolean, default=True)
    outcome: Mapped[str] = mapped_column(String(20), default="ok")  # ok | denied | failed
    target: Mapped[str | None] = mapped_column(Text, nullable=True)  # doc id, user, query …
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
