"""The roadmap pages: the draft list with the parameters form (``/roadmap``), drafting as a
background job (``POST /roadmap/draft``), the workspace of one draft (``/roadmap/{id}``), the
diff of two versions and the export download. Edits live in ``ui_roadmaps_edit``.

Everything goes through ``control_tower.roadmap.service`` as the caller: a draft the caller
may not read in full answers the same 404 as one that does not exist (staff included: the
engine's rule, not a role check here, decides). Department heads see drafts read-only; the
AI division and admins draft and edit. Drafting runs as the ``roadmap_draft`` job; the page
then carries ``?job=…`` so that ``roadmap.js`` follows its progress and re-attaches on reload.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from control_tower.domain import Principal, Role
from control_tower.jobs import JobError
from control_tower.roadmap.ordering import RoadmapError
from control_tower.roadmap.service import get_version, list_drafts, may_draft
from serving.auth import page_principal, page_roles
from serving.routers import ui_roadmaps_edit
from serving.routers.documents_upload import audit
from serving.routers.ui_roadmaps_form import FormError, guidance_from
from serving.routers.ui_roadmaps_page import not_found, show
from serving.templating import render

router = APIRouter(include_in_schema=False)
router.include_router(ui_roadmaps_edit.router)
READERS = (Role.ai_division, Role.dept_head)  # admins always pass
KIND = "roadmap_draft"


def _store(request: Request):  # noqa: ANN202
    return request.app.state.services.store


def _defaults() -> dict:
    first = datetime.now().year
    return {"from_year": str(first), "to_year": str(first + 4), "use_llm": "on"}


def _index(request: Request, principal: Principal, *, form=None, error="", job="", status=200):  # noqa: ANN001, ANN202
    ctx = {
        "drafts": [
            d | {"when": datetime.fromisoformat(d["updated_at"])}
            for d in list_drafts(_store(request), principal)
        ],  # fmt: skip
        "can_draft": may_draft(principal),
        "form": form or _defaults(),
        "error": error,
        "job": job,
    }
    return render(request, "roadmaps/index.html", principal, ctx, status_code=status)


@router.get("/roadmap")
def roadmap_index(
    request: Request,
    job: str = Query("", max_length=100),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    return _index(request, principal, job=job or _running(request, principal))


def _running(request: Request, principal: Principal) -> str:
    """The caller's own draft job still queued or running (the demo's first-start draft, one
    started in another tab), so the list shows its progress without ``?job=``."""
    if not may_draft(principal):
        return ""
    jobs = request.app.state.services.jobs.list(principal.username, kinds=[KIND], limit=5)
    return next((j.job_id for j in jobs if j.state in ("queued", "running")), "")


@router.post("/roadmap/draft")
async def start_draft(
    request: Request, principal: Principal = Depends(page_roles(*READERS))
) -> Response:
    """Queue the draft job and come back to the list, which follows it (303 ``?job=…``)."""
    from control_tower.roadmap.service import NO_DRAFT

    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not may_draft(principal):
        return _index(request, principal, form=form, error=NO_DRAFT, status=403)
    try:
        guidance = guidance_from(form)
    except FormError as err:
        return _index(request, principal, form=form, error=err.message_ko, status=422)
    params = {
        "username": principal.username,
        "guidance": guidance.model_dump(mode="json"),
        "use_llm": form.get("use_llm") == "on",
    }
    try:
        job = request.app.state.services.jobs.submit(KIND, params, principal)
    except ValueError:
        message = "로드맵 초안 작성 작업이 이 서버에 없습니다."
        return _index(request, principal, form=form, error=message, status=503)
    except JobError as err:
        return _index(request, principal, form=form, error=err.message_ko, status=503)
    audit(request, principal, "roadmap_draft", job.job_id)
    return RedirectResponse(f"/roadmap?job={job.job_id}", status_code=303)


@router.get("/roadmap/{draft_id}")
def workspace_page(
    request: Request,
    draft_id: str,
    version: int | None = Query(None, ge=1, le=1_000_000),
    saved: str = Query("", max_length=200),
    principal: Principal = Depends(page_principal),
) -> Response:
    return show(request, principal, draft_id, version=version, saved=saved)


@router.get("/roadmap/{draft_id}/diff")
def diff_page(
    request: Request,
    draft_id: str,
    a: int = Query(..., ge=1, le=1_000_000),
    b: int = Query(..., ge=1, le=1_000_000),
    principal: Principal = Depends(page_principal),
) -> Response:
    from control_tower.roadmap.service import compare_versions

    try:
        diff = compare_versions(_store(request), principal, draft_id, a, b)
        title = get_version(_store(request), principal, draft_id).structure.title
    except RoadmapError as err:
        return not_found(request, principal, err.message_ko)
    ctx = {"diff": diff, "draft_id": draft_id, "title": title}
    return render(request, "roadmaps/diff.html", principal, ctx)


@router.get("/roadmap/{draft_id}/export")
def export_file(
    request: Request,
    draft_id: str,
    format: Literal["hwpx", "docx", "md"] = "hwpx",  # noqa: A002 - the API's name
    version: int | None = Query(None, ge=1, le=1_000_000),
    principal: Principal = Depends(page_principal),
) -> Response:
    """The draft as a file, access re-checked by ``export_draft`` at the time of export."""
    from serving.routers.roadmap_export import export_response

    try:
        response, exported = export_response(_store(request), principal, draft_id, format, version)
    except RoadmapError as err:
        return not_found(request, principal, err.message_ko)
    audit(request, principal, "roadmap_export", draft_id, format=format, version=exported)
    return response
