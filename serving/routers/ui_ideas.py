"""The new AI project page (``/ideas``): a department's grounded proposals with their scores,
reasons, related cards and citations, and the decision that hands one to the roadmap (채택)
or sets it aside (보류).

Everything goes through ``control_tower.ideation.service`` as the caller: the AI division
and admins choose any department, a department head sees their own only (the service's
``check_view`` refuses another with a Korean reason, and the department list offers nothing
else). Proposals are computed on request ("제안 받기", ~10–20 s on 2 cores: in a threadpool,
with a loading state); the page shows the department's stored proposals until then, each
re-checked like ``service.decide`` checks one (every document it rests on readable).
Citations show 부서/파일명, never a server path, except to admins.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from control_tower.domain import Principal, Role, nfc
from control_tower.ideation.service import IdeaError, check_view, decide, ideas_for
from serving.auth import page_roles
from serving.routers.documents_upload import audit
from serving.routers.ui_ideas_view import proposal_view
from serving.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
READERS = (Role.ai_division, Role.dept_head)  # admins always pass
TOP = 5


def _division(principal: Principal) -> bool:
    return principal.is_admin or Role.ai_division in principal.roles


def _departments(store, principal: Principal) -> list[str]:  # noqa: ANN001
    """What the department box offers: every department to the AI division, else one's own."""
    if not _division(principal):
        return [principal.department] if principal.department else []
    from control_tower.registry.build import managed_departments

    names = set(managed_departments(store)) | {r.department for r in store.list_documents()}
    return sorted(n for n in names if n)


def _stored(store, principal: Principal, department: str) -> list:  # noqa: ANN001
    """The department's stored proposals the caller may read in full (the rule of
    ``service.decide`` and ``accepted_proposals``), best first."""
    from control_tower.ideation.repo import IdeaRepo
    from control_tower.registry.visibility import Reader

    reader = Reader(store, principal)
    found = IdeaRepo(store).find(department=department)
    shown = [p for p, docs in found if all(reader.can(d) for d in docs)]
    return sorted(shown, key=lambda p: -p.total_score)


def _context(request: Request, principal: Principal, department: str, proposals=None) -> dict:  # noqa: ANN001
    store = request.app.state.services.store
    ctx = {"departments": _departments(store, principal), "department": department,
           "proposals": [], "error": "", "computed": proposals is not None, "top": TOP}  # fmt: skip
    if not department:
        return ctx
    try:
        name = check_view(store, principal, department)
    except IdeaError as err:
        return ctx | {"error": err.message_ko, "status": err.status}
    items = proposals if proposals is not None else _stored(store, principal, name)
    return ctx | {"department": name,
                  "proposals": [proposal_view(p, principal, store) for p in items]}  # fmt: skip


@router.get("/ideas")
def ideas_page(
    request: Request,
    department: str = Query("", max_length=200),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    department = nfc(department).strip()
    if not department and not _division(principal):
        department = principal.department or ""
    ctx = _context(request, principal, department)
    return render(request, "ideas/page.html", principal, ctx, status_code=ctx.pop("status", 200))


@router.post("/ideas/proposals")
async def compute_proposals(
    request: Request,
    department: str = Form("", max_length=200),
    top: int = Form(TOP, ge=1, le=20),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    """Compute the department's proposals now (stored, decisions kept) and show them."""
    services = request.app.state.services
    department = nfc(department).strip()
    try:
        proposals = await run_in_threadpool(
            ideas_for, services.settings, services.store, principal, department, top,
            embedder=services.index.embedder,  # the loaded model, not a second load
        )  # fmt: skip
    except IdeaError as err:
        ctx = _context(request, principal, "") | {"department": department,
                                                   "error": err.message_ko}  # fmt: skip
        status = err.status
    else:
        await run_in_threadpool(
            audit, request, principal, "ideas", department, proposals=len(proposals)
        )
        ctx = await run_in_threadpool(_context, request, principal, department, proposals)
        status = 200
    ctx["top"] = top
    # HTMX swaps only 2xx answers: the error is shown in the result area with a 200.
    if is_htmx(request):
        return render(request, "ideas/_proposals.html", principal, ctx)
    return render(request, "ideas/page.html", principal, ctx, status_code=status)


@router.post("/ideas/{proposal_id}/decision")
def decide_proposal(
    request: Request,
    proposal_id: str,
    status: str = Form(..., max_length=10),
    department: str = Form("", max_length=200),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    """채택 / 보류 / 제안(되돌리기); HTMX gets the proposal's decision box back."""
    store = request.app.state.services.store
    try:
        p = decide(store, principal, proposal_id, status)
    except IdeaError as err:
        if is_htmx(request):
            ctx = {"p": {"id": proposal_id, "status": None}, "department": department,
                   "decision_error": err.message_ko, "can_decide": True}  # fmt: skip
            return render(request, "ideas/_decision.html", principal, ctx)
        ctx = _context(request, principal, nfc(department).strip()) | {"error": err.message_ko}
        ctx.pop("status", None)
        return render(request, "ideas/page.html", principal, ctx, status_code=err.status)
    audit(request, principal, "idea_decision", proposal_id, status=status)
    if is_htmx(request):
        ctx = {"p": proposal_view(p, principal, store), "department": department,
               "can_decide": True, "decided": True}  # fmt: skip
        return render(request, "ideas/_decision.html", principal, ctx)
    target = f"/ideas?department={quote(department)}#proposal-{quote(proposal_id)}"
    return RedirectResponse(target, status_code=303)
