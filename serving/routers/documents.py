"""Documents API: list and status, versions, re-ingest (a job), delete — access-checked.

The upload (``POST /api/v1/documents``, a batch as one job, 202 at once) lives in
``documents_upload.py`` and is included here; response models in ``documents_schemas.py``.

Files land in ``<data_dir>/uploads/<department folder>/<name>``: the department must be a
managed one, and its folder is derived by ``control_tower.names.department_folder`` (never the
raw string). Uploading a name again makes a new version of the same document; the last
complete upload wins. People see titles and ``부서/파일명`` locations; the server path is
only shown to admins.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request

from control_tower.access import can_read, can_write_department
from control_tower.domain import Principal, nfc
from control_tower.jobs import JobError
from control_tower.jobs.ingest import uploads_root
from control_tower.store import DocumentRecord
from serving.auth import current_principal
from serving.errors import api_error
from serving.routers import documents_upload
from serving.routers.documents_schemas import (
    RESPONSES,
    Deleted,
    DocumentList,
    DocumentSummary,
    DocumentVersion,
    JobAccepted,
    accepted,
)
from serving.routers.documents_upload import audit

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=RESPONSES)
router.include_router(documents_upload.router)
DELETE_LOCK_TIMEOUT_S = 30.0


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
    if department is not None:  # the same NFC form every other filter compares
        department = nfc(department).strip() or None
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
    audit(request, principal, "reingest", doc_id, job_id=job.job_id)
    return accepted(job, rec.department)


@router.delete("/documents/{doc_id}", response_model=Deleted)
def delete_document(
    doc_id: str, request: Request, principal: Principal = Depends(current_principal)
) -> Deleted:
    """Admin or the owning department: out of both indexes, the store and the upload folder."""
    from control_tower.store import PENDING
    from control_tower.store.parsed import parsed_copies
    from ingest.lock import IngestBusyError, ingest_lock

    services = request.app.state.services
    rec = _writable(request, doc_id, principal)
    try:
        with ingest_lock(services.settings.data_dir, timeout_s=DELETE_LOCK_TIMEOUT_S):
            # pending first: a crash between the steps is repaired by the next ingest run
            services.store.set_status(doc_id, PENDING, reason="deleting", message="삭제 중")
            services.index.delete_document(doc_id)
            services.store.delete_document(doc_id)
            parsed_copies(services.settings.data_dir).delete(doc_id)
            path = Path(rec.source_path)
            if path.is_relative_to(uploads_root(services.settings).resolve()):
                path.unlink(missing_ok=True)
    except IngestBusyError as exc:
        raise api_error(503, "ingest_busy", exc.message_ko) from None
    audit(request, principal, "delete", doc_id, title=rec.title, department=rec.department)
    return Deleted(doc_id=doc_id)


__all__ = ["router"]
