"""SQL tables of the document store (SQLAlchemy 2.0 declarative).

Only portable column types (String, Integer, Date, DateTime(tz), JSON), so the same schema
runs on SQLite (default, WAL) and PostgreSQL (by URL).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    indexed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


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
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IngestRunRow(Base):
    __tablename__ = "ingest_runs"

    run_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    state: Mapped[str] = mapped_column(String(20))  # running | completed | interrupted | failed
    paths: Mapped[list] = mapped_column(JSON, default=list)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)


class UserRow(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    roles: Mapped[list] = mapped_column(JSON, default=list)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
