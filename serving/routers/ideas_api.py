"""Ideas JSON API: a department's grounded new AI project proposals and decisions on them.

Same semantics as ``ct ideas`` (``control_tower.ideation.service`` holds the access rules):
proposals, scores, reasons and citations come only from documents the caller may read.
Server paths are shown to admins only; others get 부서/파일명, as in the registry API.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from control_tower.domain import Principal
from control_tower.ideation.service import IdeaError
from serving.auth import current_principal
from serving.errors import ERROR_RESPONSES, api_error
from serving.routers.documents_upload import audit

router = APIRouter(prefix="/api/v1", tags=["ideas"], responses=ERROR_RESPONSES)


class Decision(BaseModel):
    status: Literal["채택", "보류", "제안"]


def _raise(exc: IdeaError):  # noqa: ANN202
    raise api_error(exc.status, exc.code, exc.message_ko) from None


def _json(p, principal: Principal, store) -> dict:  # noqa: ANN001
    from control_tower.ideation.views import proposal_json
    from control_tower.names import display_location

    data = proposal_json(p)
    if not principal.is_admin:
        depts = {r.doc_id: r.department for r in store.list_documents()}
        for c in [*data["citations"], *(d["citation"] for d in data["data"] if d["citation"])]:
            c["path"] = display_location(depts.get(c["doc_id"], ""), c["path"], c["title"])
    return data


@router.get("/ideas")
async def list_ideas(
    request: Request,
    department: str = Query(..., max_length=200, description="부서 이름"),
    top: int = Query(5, ge=1, le=20),
    principal: Principal = Depends(current_principal),
) -> dict:
    """The department's proposals (computed for the caller, decisions kept)."""
    from control_tower.ideation.service import ideas_for

    services = request.app.state.services
    try:
        proposals = await run_in_threadpool(
            ideas_for,
            services.settings,
            services.store,
            principal,
            department,
            top,
            embedder=services.index.embedder,  # the loaded model, not a second load
        )
    except IdeaError as exc:
        _raise(exc)
    audit(request, principal, "ideas", department, proposals=len(proposals))
    return {
        "department": department,
        "proposals": [_json(p, principal, services.store) for p in proposals],
    }


@router.post("/ideas/{proposal_id}/decision")
def decide_idea(
    proposal_id: str,
    body: Decision,
    request: Request,
    principal: Principal = Depends(current_principal),
) -> dict:
    """Accept (채택) or reject (보류) a proposal into the roadmap's input."""
    from control_tower.ideation.service import decide

    store = request.app.state.services.store
    try:
        p = decide(store, principal, proposal_id, body.status)
    except IdeaError as exc:
        _raise(exc)
    audit(request, principal, "idea_decision", proposal_id, status=body.status)
    return _json(p, principal, store)
