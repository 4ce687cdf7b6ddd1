"""Response models of the documents API and the upload's published request body.

People see titles and ``부서/파일명`` locations; ``path`` (the server path) is filled for admins
only.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from control_tower.domain import AccessLevel, Principal
from control_tower.names import display_location
from control_tower.store import DocumentRecord
from serving.errors import ERROR_RESPONSES, ErrorResponse

RESPONSES = {
    **ERROR_RESPONSES,
    413: {"model": ErrorResponse, "description": "너무 큼"},
    503: {"model": ErrorResponse, "description": "작업 대기열 또는 수집 잠금 사용 불가"},
}


class AcceptedFile(BaseModel):
    key: str  # the job item key of this file
    filename: str  # the name as sent
    name: str  # the name it is stored and shown under
    size: int
    location: str  # 부서/파일명


class JobAccepted(BaseModel):
    job_id: str
    state: str
    department: str | None = None
    files: list[AcceptedFile] = []
    job_url: str
    events_url: str


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    location: str  # 부서/파일명, for people
    path: str | None = None  # the server path: admins only
    department: str
    access_level: AccessLevel
    doc_type: str | None
    doc_date: date | None
    version: int
    status: str
    reason: str | None
    message: str | None
    chunks: int
    updated_at: datetime
    indexed_at: datetime | None

    @classmethod
    def of(cls, r: DocumentRecord, principal: Principal) -> DocumentSummary:
        return cls(
            doc_id=r.doc_id,
            title=r.title,
            location=display_location(r.department, r.source_path, r.title),
            path=r.source_path if principal.is_admin else None,
            department=r.department,
            access_level=r.access_level,
            doc_type=r.doc_type,
            doc_date=r.doc_date,
            version=r.version,
            status=r.status,
            reason=r.reason,
            message=r.message,
            chunks=r.chunk_count,
            updated_at=r.updated_at,
            indexed_at=r.indexed_at,
        )


class DocumentList(BaseModel):
    total: int
    documents: list[DocumentSummary]


class DocumentVersion(BaseModel):
    version: int
    content_hash: str
    chunks: int
    indexed_at: datetime


class Deleted(BaseModel):
    doc_id: str
    deleted: bool = True


def accepted(job, dept: str | None = None, files: list[AcceptedFile] = ()) -> JobAccepted:  # noqa: ANN001
    return JobAccepted(
        job_id=job.job_id,
        state=job.state,
        department=dept,
        files=list(files),
        job_url=f"/api/v1/jobs/{job.job_id}",
        events_url=f"/api/v1/jobs/{job.job_id}/events",
    )


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "올릴 문서 파일들 (한 개면 file 항목도 가능)",
                        },
                        "file": {"type": "string", "format": "binary"},
                        "department": {"type": "string", "description": "소유 부서"},
                        "access": {"type": "string", "enum": [a.value for a in AccessLevel]},
                        "allowed_users": {"type": "string", "description": "쉼표 구분"},
                        "allowed_departments": {"type": "string", "description": "쉼표 구분"},
                    },
                }
            }
        },
    }
}
