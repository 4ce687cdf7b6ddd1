"""What the store hands out: plain pydantic records, never live ORM rows."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from control_tower.domain import AccessLevel, DocumentMeta


class DocumentRecord(BaseModel):
    doc_id: str
    source_path: str
    title: str
    department: str
    access_level: AccessLevel
    allowed_users: list[str] = Field(default_factory=list)
    allowed_departments: list[str] = Field(default_factory=list)
    doc_type: str | None = None
    doc_date: date | None = None
    version: int = 0
    content_hash: str | None = None
    status: str  # indexed | pending | skipped | failed
    reason: str | None = None
    message: str | None = None
    chunk_count: int = 0
    extra: dict = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    indexed_at: datetime | None = None

    def to_meta(self) -> DocumentMeta:
        """The access-relevant view, for ``control_tower.access.can_read``."""
        return DocumentMeta(
            doc_id=self.doc_id,
            version=max(self.version, 1),
            title=self.title,
            department=self.department,
            access_level=self.access_level,
            allowed_users=self.allowed_users,
            allowed_departments=self.allowed_departments,
            source_path=self.source_path,
            doc_type=self.doc_type or "unknown",
            doc_date=self.doc_date,
            content_hash=self.content_hash or "",
        )


class DocumentVersionRecord(BaseModel):
    doc_id: str
    version: int
    content_hash: str
    chunk_count: int
    run_id: str | None = None
    indexed_at: datetime


class IngestRunRecord(BaseModel):
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    state: str
    paths: list[str] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    pid: int | None = None
