"""Documents API: batch upload as a job, list and status, re-ingest, delete — access-checked.

``POST /api/v1/documents`` authenticates and checks the caller *before* reading the body, then
streams the files to staging with the size limits enforced while reading
(``upload_form.py``), and answers **202** at once with the job id; the ingest itself runs in
an ``ingest_upload`` job (``control_tower/jobs/ingest.py``), which waits for the ingest lock
there, not in a request thread. Progress per file: ``GET /api/v1/jobs/{job_id}/events``.

Files land in ``<data_dir>/uploads/<department folder>/<name>``: the department must be a
managed one, and its folder is derived by ``control_tower.names.department_folder`` (never the
raw string). Uploading a name again makes a new version of the same document; the last
complete upload wins. People see titles and ``부서/파일명`` locations; the server path is
only shown to admins.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from control_tower.access import can_read, can_write_department
from control_tower.domain import AccessLevel, Principal, nfc
from control_tower.jobs import JobError
from control_tower.jobs.ingest import display_location, staging_dir, uploads_root
from control_tower.names import BadNameError, clean_text, disk_name, resolve_department
from control_tower.store import DocumentRecord
from serving.auth import current_principal
from serving.errors import ERROR_RESPONSES, ErrorResponse, api_error
from serving.routers.upload_form import UploadForm, read_upload_form

RESPONSES = {**ERROR_RESPONSES, 413: {"model": ErrorResponse, "description": "너무 큼"}}
router = APIRouter(prefix="/api/v1", tags=["documents"], responses=RESPONSES)
DELETE_LOCK_TIMEOUT_S = 30.0


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


def _split_list(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(nfc(x.strip()) for x in v.split(",") if x.strip())
    return out


def _department(store, principal: Principal, name: str | None) -> str:  # noqa: ANN001
    """A managed department the caller may write to (Korean 400/403 otherwise)."""
    try:
        dept = resolve_department(store, name if name is not None else principal.department)
    except BadNameError as err:
        raise api_error(400, err.code, err.message_ko) from None
    if not can_write_department(principal, dept):
        raise api_error(
            403,
            "forbidden_department",
            f"'{dept}' 부서의 문서를 올릴 권한이 없습니다. 본인 부서의 문서만 올릴 수 있습니다.",
        )
    return dept


def _access(form: UploadForm, principal: Principal) -> tuple[AccessLevel, list[str], list[str]]:
    raw = (form.first("access") or AccessLevel.internal.value).strip()
    try:
        access = AccessLevel(raw)
    except ValueError:
        raise api_error(
            400,
            "bad_access",
            f"알 수 없는 공개 범위입니다: '{clean_text(raw)[:40]}' "
            "(public, internal, department, restricted 중 하나)",
        ) from None
    users = _split_list(form.fields.get("allowed_users"))
    depts = _split_list(form.fields.get("allowed_departments"))
    if (users or depts) and access is not AccessLevel.restricted:
        raise api_error(
            400,
            "allow_list_needs_restricted",
            "열람 허용 목록은 공개 범위가 restricted 일 때만 씁니다.",
        )
    if access is AccessLevel.restricted and principal.username not in users:
        users.append(principal.username)  # the uploader keeps access to what they restricted
    return access, users, depts


def _audit(request: Request, principal: Principal, event: str, target: str, **details) -> None:
    from control_tower.audit import AuditLog

    ip = request.client.host if request.client else None
    AuditLog(request.app.state.services.store).record(
        principal, event, surface="api", target=target, ip=ip, **details
    )


def _accepted(job, dept: str | None = None, files: list[AcceptedFile] = ()) -> JobAccepted:
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


@router.post("/documents", response_model=JobAccepted, status_code=202, openapi_extra=UPLOAD_BODY)
async def upload_documents(
    request: Request,
    department: str | None = None,
    principal: Principal = Depends(current_principal),
):
    """Upload one or many files (``files``; ``file`` also works) as one ingest job.

    ``department`` may come as a query parameter (checked before the body is read) or a form
    field; default: the caller's own department.
    """
    services = request.app.state.services
    settings, store = services.settings, services.store
    if not principal.authenticated:  # current_principal already refuses; never read a body
        raise api_error(401, "login_required", "문서를 올리려면 로그인해야 합니다.")
    if department is not None:
        await run_in_threadpool(_department, store, principal, department)
    elif not (principal.department or principal.is_admin):
        raise api_error(400, "department_required", "소유 부서를 지정하세요.")

    form = await read_upload_form(request, settings, staging_dir(settings))
    try:
        if not form.files:
            raise api_error(400, "no_files", "올릴 파일이 없습니다. files 항목에 파일을 넣으세요.")
        field = form.first("department")
        if department is not None and field is not None and nfc(field.strip()) != nfc(department):
            raise api_error(400, "department_mismatch", "부서가 두 번 다르게 지정되었습니다.")
        dept = await run_in_threadpool(_department, store, principal, field or department)
        access, users, depts = _access(form, principal)
        accepted = [
            AcceptedFile(
                key=str(i),
                filename=clean_text(f.sent_name),
                name=f.name,
                size=f.size,
                location=f"{dept}/{f.name}",
            )
            for i, f in enumerate(form.files)
        ]
        params = {
            "department": dept,
            "access": access.value,
            "allowed_users": users,
            "allowed_departments": depts,
            "files": [
                {
                    "key": a.key,
                    "name": f.name,
                    "disk": disk_name(f.name),
                    "staged": str(f.path),
                    "size": f.size,
                }
                for a, f in zip(accepted, form.files, strict=True)
            ],
        }
        from control_tower.jobs import JobItem

        items = [JobItem(key=a.key, label=a.name, status="queued") for a in accepted]
        first = accepted[0].name
        title = first if len(accepted) == 1 else f"{first} 외 {len(accepted) - 1}개"
        try:
            job = await run_in_threadpool(
                services.jobs.submit,
                "ingest_upload",
                params,
                principal,
                title=f"문서 올리기: {title}",
                department=dept,
                items=items,
            )
        except JobError as err:
            raise api_error(503, err.code, err.message_ko) from None
    except BaseException:
        form.discard()
        raise
    await run_in_threadpool(
        _audit,
        request,
        principal,
        "upload",
        job.job_id,
        department=dept,
        access=access.value,
        files=[a.name for a in accepted],
        bytes=sum(a.size for a in accepted),
    )
    return _accepted(job, dept, accepted)


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
    return DocumentList(
        total=len(visible), documents=[DocumentSummary.of(r, principal) for r in page]
    )


def _readable(request: Request, doc_id: str, principal: Principal) -> DocumentRecord:
    rec = request.app.state.services.store.get_document(doc_id)
    # unknown and forbidden look the same, so ids of secret documents cannot be probed
    if rec is None or not can_read(principal, rec.to_meta()):
        raise api_error(404, "not_found", "문서를 찾을 수 없거나 열람 권한이 없습니다.")
    return rec


def _writable(request: Request, doc_id: str, principal: Principal) -> DocumentRecord:
    rec = _readable(request, doc_id, principal)
    if not (principal.is_admin or can_write_department(principal, rec.department)):
        raise api_error(
            403, "forbidden_department", f"'{rec.department}' 부서의 문서를 바꿀 권한이 없습니다."
        )
    return rec


@router.get("/documents/{doc_id}", response_model=DocumentSummary)
def get_document(
    doc_id: str, request: Request, principal: Principal = Depends(current_principal)
) -> DocumentSummary:
    return DocumentSummary.of(_readable(request, doc_id, principal), principal)


@router.get("/documents/{doc_id}/versions", response_model=list[DocumentVersion])
def document_versions(
    doc_id: str, request: Request, principal: Principal = Depends(current_principal)
) -> list[DocumentVersion]:
    """Every fully indexed content version, oldest first."""
    _readable(request, doc_id, principal)
    return [
        DocumentVersion(
            version=v.version,
            content_hash=v.content_hash,
            chunks=v.chunk_count,
            indexed_at=v.indexed_at,
        )
        for v in request.app.state.services.store.versions(doc_id)
    ]


@router.post("/documents/{doc_id}/reingest", response_model=JobAccepted, status_code=202)
def reingest_document(
    doc_id: str, request: Request, principal: Principal = Depends(current_principal)
) -> JobAccepted:
    rec = _writable(request, doc_id, principal)
    try:
        job = request.app.state.services.jobs.submit(
            "reingest",
            {"doc_id": doc_id},
            principal,
            title=f"다시 수집: {rec.title}",
            department=rec.department,
        )
    except JobError as err:
        raise api_error(503, err.code, err.message_ko) from None
    _audit(request, principal, "reingest", doc_id, job_id=job.job_id)
    return _accepted(job, rec.department)


@router.delete("/documents/{doc_id}", response_model=Deleted)
def delete_document(
    doc_id: str, request: Request, principal: Principal = Depends(current_principal)
) -> Deleted:
    """Admin or the owning department: out of both indexes, the store and the upload folder."""
    from control_tower.store import PENDING
    from ingest.lock import IngestBusyError, ingest_lock

    services = request.app.state.services
    rec = _writable(request, doc_id, principal)
    try:
        with ingest_lock(services.settings.data_dir, timeout_s=DELETE_LOCK_TIMEOUT_S):
            # pending first: a crash between the steps is repaired by the next ingest run
            services.store.set_status(doc_id, PENDING, reason="deleting", message="삭제 중")
            services.index.delete_document(doc_id)
            services.store.delete_document(doc_id)
            path = Path(rec.source_path)
            if path.is_relative_to(uploads_root(services.settings).resolve()):
                path.unlink(missing_ok=True)
    except IngestBusyError as exc:
        raise api_error(503, "ingest_busy", exc.message_ko) from None
    _audit(request, principal, "delete", doc_id, title=rec.title, department=rec.department)
    return Deleted(doc_id=doc_id)


__all__ = ["router"]
