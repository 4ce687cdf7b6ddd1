"""What the job system hands out: pydantic records of the ``jobs`` table, never ORM rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

QUEUED, RUNNING = "queued", "running"
SUCCEEDED, FAILED, INTERRUPTED, CANCELLED = "succeeded", "failed", "interrupted", "cancelled"
ACTIVE = (QUEUED, RUNNING)
FINAL = (SUCCEEDED, FAILED, INTERRUPTED, CANCELLED)

RESTART_MESSAGE = "서버가 다시 시작되어 작업이 중단되었습니다. 다시 실행하세요."
LOST_WORKER_MESSAGE = (
    "작업을 실행하던 작업자가 응답하지 않아 작업이 중단되었습니다. 다시 실행하세요."
)
CANCELLED_MESSAGE = "사용자가 작업을 취소했습니다."


class JobError(Exception):
    """Raise from a handler to fail the job with a stable code and a Korean message."""

    def __init__(self, code: str, message_ko: str):
        self.code, self.message_ko = code, message_ko
        super().__init__(message_ko)


class JobItem(BaseModel):
    """Per-item status inside a job (one uploaded file, one registry entry …)."""

    key: str
    label: str | None = None  # for people, e.g. the file name
    status: str = QUEUED  # the handler's vocabulary (indexed, skipped, failed …)
    message: str | None = None  # Korean reason
    data: dict[str, Any] = Field(default_factory=dict)


class JobRecord(BaseModel):
    job_id: str
    kind: str
    state: str  # queued | running | succeeded | failed | interrupted | cancelled
    owner: str | None = None
    department: str | None = None
    title: str = ""
    progress_done: int = 0
    progress_total: int = 0
    message: str | None = None
    items: list[JobItem] = Field(default_factory=list)
    result: dict[str, Any] = Field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime

    @property
    def final(self) -> bool:
        return self.state in FINAL
