"""The duplication review page (``/review``): upload a new 사업계획서 and see the verdict in the
사전협의 vocabulary (추진 / 조건부 추진 / 재검토), the matching existing cards with type, score,
reason and evidence, and the Korean Markdown report to download.

The upload is read after authentication by the same streaming reader as document uploads
(size limits enforced while reading), staged under the data folder with its own file name (the
parser picks the format by extension) and removed afterwards: a proposal under review is not
ingested and not stored. The review runs as the caller (``review_file``), so matches come only
from cards the caller may see. Every signed-in role may review.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from control_tower.domain import Principal
from control_tower.jobs.ingest import staging_dir
from control_tower.registry.review import ReviewResult, review_file
from control_tower.registry.review_report import review_markdown
from control_tower.registry.service import RegistryError, list_cards
from serving.auth import page_principal
from serving.routers.documents_upload import audit
from serving.routers.ui_registry import READERS
from serving.routers.ui_registry_view import path_fn_for, where_text
from serving.routers.upload_form import read_upload_form
from serving.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
SUFFIXES = (".hwp", ".hwpx", ".pdf", ".docx")
BAD_TYPE = "사업계획서는 HWP, HWPX, PDF, DOCX 파일만 검토할 수 있습니다."
NO_FILE = "검토할 사업계획서 파일을 고르세요."
VERDICT_CLASS = {"추진": "go", "조건부 추진": "conditional", "재검토": "stop"}


@router.get("/review")
def review_page(request: Request, principal: Principal = Depends(page_principal)) -> Response:
    ctx = {"max_file_mb": request.app.state.services.settings.max_file_mb}
    return render(request, "review/page.html", principal, ctx)


def _run(request: Request, principal: Principal, staged: Path, name: str) -> ReviewResult:
    services = request.app.state.services
    folder = Path(tempfile.mkdtemp(prefix="review-", dir=staged.parent))
    try:
        target = folder / name
        shutil.move(staged, target)
        return review_file(
            services.settings,
            services.store,
            principal,
            target,
            filename=name,
            embedder=services.index.embedder,  # the loaded model, not a second load
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _matches(request: Request, principal: Principal, result: ReviewResult) -> list[dict]:
    """Matches for the template: evidence split into the proposal's side and the card's,
    with the caller's view of each source (no server path for non-admins)."""
    store = request.app.state.services.store
    path = path_fn_for(principal)
    cards = {c.id: c for c in list_cards(store, principal)}
    out = []
    for m in result.matches:
        card = cards.get(m.card)
        sources = {s.doc_id: s for s in card.sources()} if card else {}
        mine, theirs = [], []
        for e in m.evidence:
            src = sources.get(e.get("doc_id", ""))
            item = {
                "text": e.get("text", ""),
                "where": where_text(
                    src.model_copy(update={"page": e.get("page"), "section": e.get("section")})
                )
                if src
                else " · ".join(
                    str(x) for x in (e.get("section"), e.get("page") and f"{e['page']}쪽") if x
                ),
                "title": src.title if src else "",
                "location": path(src) if src else "",
            }
            (mine if e.get("card") == "proposal" else theirs).append(item)
        out.append(
            m.model_dump(
                include={
                    "card",
                    "name",
                    "departments",
                    "type",
                    "direction",
                    "score",
                    "shared",
                    "reason",
                }
            )
            | {"proposal_evidence": mine, "card_evidence": theirs, "visible": card is not None}
        )
    return out


@router.post("/review")
async def review_upload(
    request: Request, principal: Principal = Depends(page_principal)
) -> Response:
    settings = request.app.state.services.settings
    ctx: dict = {"max_file_mb": settings.max_file_mb}
    status = 200
    try:
        form = await read_upload_form(request, settings, staging_dir(settings))
    except HTTPException as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        ctx["error"] = detail.get("message") or "파일을 받지 못했습니다."
        form, status = None, exc.status_code
    name = form.files[0].name if form is not None and form.files else ""
    if form is not None:
        try:
            ctx |= await _review(request, principal, form)
        except RegistryError as err:
            ctx["error"], status = err.message_ko, err.status
        finally:
            form.discard()
    if ctx.get("error"):
        await run_in_threadpool(audit, request, principal, "review", name, outcome="failed")
    # HTMX swaps only 2xx answers: the error is shown in the result area with a 200.
    if is_htmx(request):
        return render(request, "review/_result.html", principal, ctx)
    return render(request, "review/page.html", principal, ctx, status_code=status)


async def _review(request: Request, principal: Principal, form) -> dict:  # noqa: ANN001
    if not form.files:
        raise RegistryError(400, "no_file", NO_FILE)
    f = form.files[0]
    if Path(f.name).suffix.lower() not in SUFFIXES:
        raise RegistryError(415, "bad_type", BAD_TYPE)
    result = await run_in_threadpool(_run, request, principal, f.path, f.name)
    matches = await run_in_threadpool(_matches, request, principal, result)
    await run_in_threadpool(
        audit, request, principal, "review", f.name, verdict=result.verdict, matches=len(matches)
    )
    return {
        "can_open_cards": principal.is_admin or bool(principal.roles & set(READERS)),
        "file": f.name,
        "result": result,
        "verdict_class": VERDICT_CLASS.get(result.verdict, "go"),
        "matches": matches,
        "markdown": review_markdown(result),
        "report_name": Path(f.name).stem + "_사전검토.md",
    }
