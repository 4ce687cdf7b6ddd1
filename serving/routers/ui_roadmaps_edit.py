"""The workspace's edits: regenerate or rewrite one section, change an initiative's phase or
budget lines, reword the title or vision, restore an older version.

Each is a plain form POST (works without JavaScript) answered by a redirect back to the
workspace at the changed part (303); the engine makes a new version and re-runs the checks.
A refused edit re-renders the workspace with the engine's Korean reason (``message_ko``) at
its status; a draft the caller may not see answers the 404 page. Audit labels as the API's.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from control_tower.domain import Principal, nfc
from control_tower.roadmap.ordering import RoadmapError
from serving.auth import page_principal
from serving.routers.documents_upload import audit
from serving.routers.ui_roadmaps_form import FormError, initiative_changes
from serving.routers.ui_roadmaps_page import not_found, show

router = APIRouter(include_in_schema=False)


def _back(draft_id: str, saved: str, anchor: str) -> Response:
    target = f"/roadmap/{quote(draft_id)}?saved={quote(saved)}#{quote(anchor)}"
    return RedirectResponse(target, status_code=303)


def _apply(
    request: Request, principal: Principal, draft_id: str, fn, saved: str, anchor: str, **details
) -> Response:  # noqa: ANN001 - fn: () -> RoadmapVersion
    try:
        v = fn()
    except FormError as err:
        return show(request, principal, draft_id, error=err.message_ko, status=422)
    except RoadmapError as err:
        if err.status == 404:
            return not_found(request, principal, err.message_ko)
        return show(request, principal, draft_id, error=err.message_ko, status=err.status)
    audit(request, principal, "roadmap_edit", draft_id, version=v.version, **details)
    return _back(draft_id, saved, anchor)


@router.post("/roadmap/{draft_id}/sections/{key}/regenerate")
async def regenerate(
    request: Request,
    draft_id: str,
    key: str,
    use_llm: str = Form(""),
    principal: Principal = Depends(page_principal),
) -> Response:
    """Draft one section again (LLM, validated; else the marked template text)."""
    from control_tower.roadmap.service import regenerate_section

    services = request.app.state.services

    def run():  # noqa: ANN202
        return regenerate_section(services.settings, services.store, principal, draft_id, key,
                                  use_llm=use_llm == "on")  # fmt: skip

    return await run_in_threadpool(
        _apply, request, principal, draft_id, run, f"regenerated:{key}", f"section-{key}",
        section=key,
    )  # fmt: skip


@router.post("/roadmap/{draft_id}/sections/{key}")
def edit_section(
    request: Request,
    draft_id: str,
    key: str,
    text: str = Form("", max_length=20_000),
    principal: Principal = Depends(page_principal),
) -> Response:
    from control_tower.roadmap.service import edit_section as edit

    store = request.app.state.services.store
    return _apply(request, principal, draft_id,
                  lambda: edit(store, principal, draft_id, key, nfc(text).replace("\r\n", "\n")),
                  f"edited:{key}", f"section-{key}", section=key)  # fmt: skip


@router.post("/roadmap/{draft_id}/initiatives/{initiative_id}")
async def edit_initiative(
    request: Request,
    draft_id: str,
    initiative_id: str,
    principal: Principal = Depends(page_principal),
) -> Response:
    """An initiative's phase and budget lines (only the changed ones go to the engine)."""
    from control_tower.roadmap.service import edit_structure, get_version

    store = request.app.state.services.store
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    def run():  # noqa: ANN202
        base = get_version(store, principal, draft_id)
        ini = base.structure.initiative(initiative_id)
        if ini is None:
            raise RoadmapError("bad_edit", f"추진과제를 찾을 수 없습니다: {initiative_id}")
        changes = initiative_changes(ini, base.structure.guidance.years, form)
        return edit_structure(store, principal, draft_id, changes)

    return _apply(request, principal, draft_id, run, f"structure:{initiative_id}",
        f"initiative-{initiative_id}",
                  structure=True)  # fmt: skip


@router.post("/roadmap/{draft_id}/overview")
def edit_overview(
    request: Request,
    draft_id: str,
    title: str = Form("", max_length=120),
    vision: str = Form("", max_length=200),
    principal: Principal = Depends(page_principal),
) -> Response:
    """The draft's title and vision (changed ones only)."""
    from control_tower.roadmap.service import edit_structure, get_version

    store = request.app.state.services.store

    def run():  # noqa: ANN202
        s = get_version(store, principal, draft_id).structure
        changes = {}
        if (t := nfc(title).strip()) and t != s.title:
            changes["title"] = t
        if (x := nfc(vision).strip()) and x != s.vision:
            changes["vision"] = x
        return edit_structure(store, principal, draft_id, changes)

    return _apply(request, principal, draft_id, run, "structure", "overview", structure=True)


@router.post("/roadmap/{draft_id}/restore")
def restore(
    request: Request,
    draft_id: str,
    version: int = Form(..., ge=1, le=1_000_000),
    principal: Principal = Depends(page_principal),
) -> Response:
    from control_tower.roadmap.service import restore as restore_fn

    store = request.app.state.services.store
    return _apply(request, principal, draft_id,
                  lambda: restore_fn(store, principal, draft_id, version),
                  f"restored:{version}", "versions", restored=version)  # fmt: skip
