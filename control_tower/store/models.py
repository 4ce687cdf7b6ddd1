"""SQL tables of the document store (SQLAlchemy 2.0 declarative).

Only portable column types (String, Integer, Date, DateTime(tz), JSON, LargeBinary), so the
same schema runs on SQLite (default, WAL) and PostgreSQL (by URL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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


# --- project registry (issue 8) -------------------------------------------------------------


class RegistryCardRow(Base):
    """One project card. ``data`` is the card's fields with every candidate value and its
    source (``control_tower.registry.types.ProjectCard`` minus the id), so a card reads in one
    row; ``digest`` (of ``data``) tells a rebuild whether the card changed."""

    __tablename__ = "registry_cards"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    lead_department: Mapped[str | None] = mapped_column(String(200), index=True, nullable=True)
    origin: Mapped[str] = mapped_column(String(10))  # extract | import
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime)


class RegistryCardSourceRow(Base):
    """Which document versions feed which card: the incremental build and the access filter
    both start from a document id."""

    __tablename__ = "registry_card_sources"

    card_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("registry_cards.id", ondelete="CASCADE"), primary_key=True
    )
    doc_id: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)
    version: Mapped[int] = mapped_column(Integer)


class RegistryDocStateRow(Base):
    """What extraction found in one document version; a rebuild re-extracts only documents
    whose version differs from the one recorded here."""

    __tablename__ = "registry_doc_state"

    doc_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    mentions: Mapped[list] = mapped_column(JSON, default=list)
    llm_fields: Mapped[int] = mapped_column(Integer, default=0)
    llm_used: Mapped[bool] = mapped_column(Boolean, default=False)
    extracted_at: Mapped[datetime] = mapped_column(AwareDateTime)


class RegistryEditRow(Base):
    """A person's override of one card field; it outlives re-extraction and can be reverted
    (``reverted_at``), so the history is never rewritten."""

    __tablename__ = "registry_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_id: Mapped[str] = mapped_column(String(40), index=True)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[dict] = mapped_column(JSON)  # {"value": …}
    username: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(AwareDateTime)
    reverted_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    reverted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class RegistryImportRow(Base):
    """An imported project list: its rows are cards' sources, readable under the access level
    given at import time (a list is a document too, only not an ingested one)."""

    __tablename__ = "registry_imports"

    import_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    department: Mapped[str] = mapped_column(String(200))
    access_level: Mapped[str] = mapped_column(String(20))
    allowed_users: Mapped[list] = mapped_column(JSON, default=list)
    allowed_departments: Mapped[list] = mapped_column(JSON, default=list)
    mapping: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    mentions: Mapped[list] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(AwareDateTime)


class RegistryLinkRow(Base):
    """One computed link (``control_tower.linker.types.Link`` in ``data``); the whole set is
    replaced by each build."""

    __tablename__ = "registry_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    a: Mapped[str] = mapped_column(String(40), index=True)
    b: Mapped[str] = mapped_column(String(40), index=True)
    type: Mapped[str] = mapped_column(String(10))
    score: Mapped[float] = mapped_column(Float)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class RegistryRationaleRow(Base):
    """LLM-written link rationales, keyed by a digest of the link's pair, type and evidence:
    written when someone first opens a link, reused until the evidence changes."""

    __tablename__ = "registry_rationales"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)


class ChatCheckpointRow(Base):
    """One LangGraph checkpoint of a chat thread (``control_tower.chat.checkpoint``): the whole
    checkpoint, channel values included, as the saver's serde typed it (``type`` + bytes)."""

    __tablename__ = "chat_checkpoints"

    thread_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    checkpoint_ns: Mapped[str] = mapped_column(Text, primary_key=True, default="")
    checkpoint_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    parent_checkpoint_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    type: Mapped[str] = mapped_column(String(40))
    checkpoint: Mapped[bytes] = mapped_column(LargeBinary)
    metadata_type: Mapped[str] = mapped_column(String(40))
    metadata_blob: Mapped[bytes] = mapped_column("metadata", LargeBinary)  # name is taken
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)


class ChatWriteRow(Base):
    """A pending write of one task against a checkpoint (what a resumed run replays)."""

    __tablename__ = "chat_writes"

    thread_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    checkpoint_ns: Mapped[str] = mapped_column(Text, primary_key=True, default="")
    checkpoint_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(40))
    value: Mapped[bytes] = mapped_column(LargeBinary)
    task_path: Mapped[str] = mapped_column(Text, default="")


class ChatConversationRow(Base):
    """A person's conversation with the assistant; its id is also the LangGraph thread id."""

    __tablename__ = "chat_conversations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    last_answer: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class ChatTurnRow(Base):
    """One question and the answer it got (a ``ChatAnswer`` dump), in order."""

    __tablename__ = "chat_turns"

    conversation_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("chat_conversations.id", ondelete="CASCADE"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[dict] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(AwareDateTime)
