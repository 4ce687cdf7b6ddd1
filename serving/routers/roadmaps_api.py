"""Roadmap JSON API: drafts as background jobs, versions, section edits, diff, export.

A thin layer over ``control_tower.roadmap.service`` (which holds every access rule): the
same semantics as ``ct roadmap``. Generating a draft is a job (``roadmap_draft``) whose
progress streams at ``/api/v1/jobs/{id}/events``; a section is regenerated in the request
(one section on the embedded model takes seconds, not minutes).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from control_tower.domain import Principal
from control_tower.roadmap.ordering import RoadmapError
from control_tower.roadmap.types import Guidance
from serving.auth import current_principal
from serving.errors import ERROR_RESPONSES, api_error
from serving.routers.documents_upload import audit

router = APIRouter(prefix="/api/v1/roadmaps", tags=["roadmaps"], responses=ERROR_RESPONSES)


class DraftRequest(Guidance):
    use_llm: bool = True


class SectionText(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


class Regenerate(BaseModel):
    use_llm: bool = True


class RestoreRequest(BaseModel):
    version: int = Field(ge=1)


def _raise(exc: RoadmapError):  # noqa: ANN202
    raise api_error(exc.status, exc.code, exc.message_ko) from None


def _store(request: Request):  # noqa: ANN202
    return request.app.state.services.store


@router.get("")
def list_roadmaps(request: Request, principal: Principal = Depends(current_principal)) -> dict:
    """Drafts the caller may see (every cited document readable)."""
    from control_tower.roadmap.service import list_drafts

    return {"drafts": list_drafts(_store(request), principal)}


@router.post("", status_code=202)
def draft_roadmap_job(
    request: Request, body: DraftRequest, principal: Principal = Depends(current_principal)
) -> dict:
    """Start drafting a roadmap as a background job (AI division, admins)."""
    from control_tower.roadmap.service import NO_DRAFT, may_draft

    if not may_draft(principal):
        raise api_error(403, "forbidden", NO_DRAFT)
    guidance = Guidance.model_validate(body.model_dump(exclude={"use_llm"}))
    params = {
        "username": principal.username,
        "guidance": guidance.model_dump(mode="json"),
        "use_llm": body.use_llm,
    }
    job = request.app.state.services.jobs.submit("roadmap_draft", params, principal)
    audit(request, principal, "roadmap_draft", job.job_id)
    return {"job_id": job.job_id, "state": job.state, "events": f"/api/v1/jobs/{job.job_id}/events"}


@router.get("/{draft_id}")
def get_roadmap(
    request: Request,
    draft_id: str,
    version: int | None = Query(None, ge=1),
    principal: Principal = Depends(current_principal),
) -> dict:
    from control_tower.roadmap.service import get_version
    from control_tower.roadmap.views import version_json

    try:
        return version_json(get_version(_store(request), principal, draft_id, version))
    except RoadmapError as exc:
        _raise(exc)


@router.get("/{draft_id}/versions")
def roadmap_versions(
    request: Request, draft_id: str, principal: Principal = Depends(current_principal)
) -> dict:
    from control_tower.roadmap.service import versions

    try:
        return {"draft_id": draft_id, "versions": versions(_store(request), principal, draft_id)}
    except RoadmapError as exc:
        _raise(exc)


@router.get("/{draft_id}/diff")
def roadmap_diff(
    request: Request,
    draft_id: str,
    a: int = Query(..., ge=1),
    b: int = Query(..., ge=1),
    principal: Principal = Depends(current_principal),
) -> dict:
    from control_tower.roadmap.service import compare_versions

    try:
        return compare_versions(_store(request), principal, draft_id, a, b)
    except RoadmapError as exc:
        _raise(exc)


def _changed(request: Request, principal: Principal, draft_id: str, fn, **details) -> dict:  # noqa: ANN001
    from control_tower.roadmap.views import version_json

    try:
        v = fn()
    except RoadmapError as exc:
        _raise(exc)
    audit(request, principal, "roadmap_edit", draft_id, version=v.version, **details)
    return version_json(v)


@router.post("/{draft_id}/sections/{key}/regenerate")
async def regenerate(
    request: Request,
    draft_id: str,
    key: str,
    body: Regenerate | None = None,
    principal: Principal = Depends(current_principal),
) -> dict:
    """Draft one section again (the LLM, validated, else the marked template): a new version."""
    from control_tower.roadmap.service import regenerate_section

    settings, store = request.app.state.services.settings, _store(request)
    use_llm = body.use_llm if body else True

    def run():  # noqa: ANN202
        return regenerate_section(settings, store, principal, draft_id, key, use_llm=use_llm)

    v = await run_in_threadpool(lambda: _changed(request, principal, draft_id, run, section=key))
    return v


@router.put("/{draft_id}/sections/{key}")
def edit_section(
    request: Request,
    draft_id: str,
    key: str,
    body: SectionText,
    principal: Principal = Depends(current_principal),
) -> dict:
    from control_tower.roadmap.service import edit_section as edit

    store = _store(request)
    return _changed(
        request, principal, draft_id,
        lambda: edit(store, principal, draft_id, key, body.text), section=key,
    )  # fmt: skip


@router.patch("/{draft_id}/structure")
def edit_structure(
    request: Request,
    draft_id: str,
    body: dict,
    principal: Principal = Depends(current_principal),
) -> dict:
    """Change an initiative's phase or years, a budget line, the vision or the title; the
    totals and checks are re-computed (body: ``StructureEdit`` fields)."""
    from control_tower.roadmap.service import edit_structure as edit

    store = _store(request)
    return _changed(
        request, principal, draft_id, lambda: edit(store, principal, draft_id, body), structure=True
    )


@router.post("/{draft_id}/restore")
def restore(
    request: Request,
    draft_id: str,
    body: RestoreRequest,
    principal: Principal = Depends(current_principal),
) -> dict:
    from control_tower.roadmap.service import restore as restore_fn

    store = _store(request)
    return _changed(
        request, principal, draft_id,
        lambda: restore_fn(store, principal, draft_id, body.version), restored=body.version,
    )  # fmt: skip


@router.get("/{draft_id}/export", response_class=FileResponse)
def export(
    request: Request,
    draft_id: str,
    format: Literal["md", "docx", "hwpx"] = "hwpx",  # noqa: A002 - the documented name
    version: int | None = Query(None, ge=1),
    principal: Principal = Depends(current_principal),
) -> FileResponse:
    """The draft as a file, after re-checking the caller may read everything it cites."""
    from serving.routers.roadmap_export import export_response

    try:
        response, exported = export_response(_store(request), principal, draft_id, format, version)
    except RoadmapError as exc:
        _raise(exc)
    audit(request, principal, "roadmap_export", draft_id, format=format, version=exported)
    return response
