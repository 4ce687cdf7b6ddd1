"""``POST /api/v1/documents``: one or many files as one ``ingest_upload`` job (202 at once).

The caller is authenticated and checked *before* the body is read (a ``?department=`` is
checked then too); the body is streamed with the size limits enforced while reading
(``upload_form.py``); the department must be a managed one the caller may write to. The ingest
runs in the job (``control_tower/jobs/ingest.py``), waiting for the ingest lock there.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from control_tower.access import can_write_department
from control_tower.domain import AccessLevel, Principal, nfc
from control_tower.jobs import JobError, JobItem
from control_tower.jobs.ingest import staging_dir
from control_tower.names import BadNameError, clean_text, disk_name, resolve_department
from serving.auth import current_principal
from serving.errors import api_error
from serving.routers.documents_schemas import (
    RESPONSES,
    UPLOAD_BODY,
    AcceptedFile,
    JobAccepted,
    accepted,
)
from serving.routers.upload_form import UploadForm, read_upload_form

router = APIRouter(tags=["documents"], responses=RESPONSES)


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


def audit(request: Request, principal: Principal, event: str, target: str, **details) -> None:
    from control_tower.audit import AuditLog
    from serving.auth import auth_context

    ip = request.client.host if request.client else None
    # the web pages call this API with the session cookie; programs with an API key
    surface = "web" if auth_context(request).method == "session" else "api"
    AuditLog(request.app.state.services.store).record(
        principal, event, surface=surface, target=target, ip=ip, **details
    )


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
        sent = [
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
            "uploader": principal.username,  # an existing document is replaced only if readable
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
                for a, f in zip(sent, form.files, strict=True)
            ],
        }
        items = [JobItem(key=a.key, label=a.name, status="queued") for a in sent]
        first = sent[0].name
        title = first if len(sent) == 1 else f"{first} 외 {len(sent) - 1}개"
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
        audit,
        request,
        principal,
        "upload",
        job.job_id,
        department=dept,
        access=access.value,
        files=[a.name for a in sent],
        bytes=sum(a.size for a in sent),
    )
    return accepted(job, dept, sent)
