"""Documents API: upload (``POST /api/v1/documents``), list and status, access-checked.

An upload is saved under ``<data_dir>/uploads/<department>/<safe file name>`` and goes through
the same pipeline as ``ct ingest`` (same sandbox, chunking, both indexes, store). Uploading a
file with the same name to the same department again replaces the previous version.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date, datetime

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from control_tower.access import can_read, can_write_department
from control_tower.domain import AccessLevel, DocumentStatus, IngestFileResult, Principal
from control_tower.store import DocumentRecord
from serving.auth import current_principal

router = APIRouter(prefix="/api/v1", tags=["documents"])

_CHUNK = 1 << 20
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
LOCK_TIMEOUT_S = 300.0  # an upload waits this long for a running `ct ingest` before 503


class UploadResult(IngestFileResult):
    filename: str  # the name the client sent


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    path: str
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
    def of(cls, r: DocumentRecord) -> DocumentSummary:
        return cls(
            doc_id=r.doc_id,
            title=r.title,
            path=r.source_path,
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


def _error(status: int, code: str, message_ko: str) -> HTTPException:
    return HTTPException(status_code=status, detail={"code": code, "message": message_ko})


def safe_name(name: str) -> str:
    """A file or folder name that cannot escape its folder or hide itself."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = _UNSAFE.sub("_", name).strip().lstrip(".")
    return name[:200] or "upload"


def _split_list(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


@router.post("/documents", response_model=UploadResult, status_code=201)
def upload_document(
    request: Request,
    file: UploadFile = File(..., description="올릴 문서 파일"),
    department: str | None = Form(None, description="소유 부서 (기본: 올린 사람의 부서)"),
    access: AccessLevel = Form(AccessLevel.internal, description="공개 범위"),
    allowed_users: list[str] | None = Form(None, description="restricted 열람 사용자(쉼표 구분)"),
    allowed_departments: list[str] | None = Form(None, description="restricted 열람 부서"),
    principal: Principal = Depends(current_principal),
):
    from ingest.lock import IngestBusyError
    from ingest.pipeline import ingest_paths

    services = request.app.state.services
    settings = services.settings
    if not principal.authenticated:
        raise _error(401, "login_required", "문서를 올리려면 로그인해야 합니다.")
    department = unicodedata.normalize("NFC", (department or principal.department or "").strip())
    if not department:
        raise _error(400, "department_required", "소유 부서를 지정하세요.")
    if not can_write_department(principal, department):
        raise _error(
            403,
            "forbidden_department",
            f"'{department}' 부서의 문서를 올릴 권한이 없습니다. "
            "본인 부서의 문서만 올릴 수 있습니다.",
        )
    users, depts = _split_list(allowed_users), _split_list(allowed_departments)
    if (users or depts) and access is not AccessLevel.restricted:
        raise _error(
            400,
            "allow_list_needs_restricted",
            "열람 허용 목록은 공개 범위가 restricted 일 때만 씁니다.",
        )
    if access is AccessLevel.restricted and principal.username not in users:
        # the uploader keeps access to what they restricted
        users.append(principal.username)
    limit = settings.max_file_mb * 1024 * 1024
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise _too_large(settings.max_file_mb)

    filename = safe_name(file.filename or "upload")
    folder = settings.data_dir / "uploads" / safe_name(department)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / filename
    partial = folder / f".{filename}.{os.getpid()}.partial"
    size = 0
    try:
        with open(partial, "wb") as out:
            while block := file.file.read(_CHUNK):
                size += len(block)
                if size > limit:
                    raise _too_large(settings.max_file_mb)
                out.write(block)
        os.replace(partial, target)  # atomic: the pipeline never sees half a file
    finally:
        if partial.exists():
            partial.unlink()

    try:
        report = ingest_paths(
            [str(target)],
            settings,
            department=department,
            access=access,
            allowed_users=users,
            allowed_departments=depts,
            store=services.store,
            index=services.index,
            lock_timeout_s=LOCK_TIMEOUT_S,
        )
    except IngestBusyError as exc:
        raise _error(503, "ingest_busy", exc.message_ko) from None
    result = UploadResult(**report.files[0].model_dump(), filename=file.filename or filename)
    status = {
        DocumentStatus.indexed: 201,
        DocumentStatus.updated: 201,
        DocumentStatus.unchanged: 200,
    }.get(result.status, 422)
    return JSONResponse(status_code=status, content=result.model_dump(mode="json"))


def _too_large(max_mb: int) -> HTTPException:
    return _error(413, "too_large", f"파일이 허용된 최대 크기({max_mb} MB)를 넘습니다.")


@router.get("/documents", response_model=DocumentList)
def list_documents(
    request: Request,
    status: str | None = None,
    department: str | None = None,
    limit: int = 100,
    offset: int = 0,
    principal: Principal = Depends(current_principal),
) -> DocumentList:
    """Documents the caller may read (newest first), optionally by status / department."""
    store = request.app.state.services.store
    visible = [
        r
        for r in store.list_documents(status=status)
        if can_read(principal, r.to_meta()) and (department is None or r.department == department)
    ]
    visible.sort(key=lambda r: r.updated_at, reverse=True)
    limit = max(1, min(limit, 1000))
    page = visible[max(0, offset) : max(0, offset) + limit]
    return DocumentList(total=len(visible), documents=[DocumentSummary.of(r) for r in page])


@router.get("/documents/{doc_id}", response_model=DocumentSummary)
def get_document(
    doc_id: str, request: Request, principal: Principal = Depends(current_principal)
) -> DocumentSummary:
    rec = request.app.state.services.store.get_document(doc_id)
    # unknown and forbidden look the same, so ids of secret documents cannot be probed
    if rec is None or not can_read(principal, rec.to_meta()):
        raise _error(404, "not_found", "문서를 찾을 수 없거나 열람 권한이 없습니다.")
    return DocumentSummary.of(rec)


__all__ = ["router", "safe_name"]
