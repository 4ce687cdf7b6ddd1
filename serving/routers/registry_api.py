"""Registry JSON API: cards, edits, links, the build job and the duplication review.

Every answer is computed for the caller (``control_tower.registry.service`` /
``link_views``): cards, fields, passages, links and review matches come only from documents
the caller may read. Server paths are shown to admins only; others get 부서/파일명.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from control_tower.domain import Principal, Role
from control_tower.registry.service import RegistryError
from control_tower.registry.views import location_path, raw_path
from serving.auth import current_principal
from serving.errors import ERROR_RESPONSES, api_error
from serving.routers.documents_upload import audit

router = APIRouter(prefix="/api/v1", tags=["registry"], responses=ERROR_RESPONSES)
BUILDERS = (Role.admin, Role.ai_division)


class CardEdit(BaseModel):
    set: dict[str, Any] = Field(default_factory=dict, description="항목 → 새 값")
    revert: list[str] = Field(default_factory=list, description="수정을 되돌릴 항목")


class BuildRequest(BaseModel):
    use_llm: bool = True


def _path_fn(principal: Principal):  # noqa: ANN202
    return raw_path if principal.is_admin else location_path


def _raise(exc: RegistryError):  # noqa: ANN202
    raise api_error(exc.status, exc.code, exc.message_ko) from None


@router.get("/registry")
def list_registry(
    request: Request,
    department: str | None = Query(None, max_length=200),
    principal: Principal = Depends(current_principal),
) -> dict:
    """Project cards the caller may see (fields only from readable documents)."""
    from control_tower.registry.service import list_cards
    from control_tower.registry.views import card_json

    cards = list_cards(request.app.state.services.store, principal, department=department)
    path = _path_fn(principal)
    return {"cards": [card_json(c, path) for c in cards]}


@router.get("/registry/{card_id}")
def get_registry_card(
    card_id: str, request: Request, principal: Principal = Depends(current_principal)
) -> dict:
    """One card with every field's value, method, source, alternatives and edit history."""
    from control_tower.registry.edits import history
    from control_tower.registry.service import get_card
    from control_tower.registry.views import card_json

    store = request.app.state.services.store
    try:
        card = get_card(store, principal, card_id)
    except RegistryError as exc:
        _raise(exc)
    data = card_json(card, _path_fn(principal), detail=True)
    data["history"] = history(store, card.id)
    return data


@router.patch("/registry/{card_id}")
def edit_registry_card(
    card_id: str,
    body: CardEdit,
    request: Request,
    principal: Principal = Depends(current_principal),
) -> dict:
    """Override fields (recorded with who and when, kept across rebuilds) or revert them."""
    from control_tower.registry.service import edit_card
    from control_tower.registry.views import card_json

    if not body.set and not body.revert:
        raise api_error(400, "empty_edit", "바꿀 항목(set)이나 되돌릴 항목(revert)을 지정하세요.")
    try:
        card = edit_card(
            request.app.state.services.store,
            principal,
            card_id,
            set_values=body.set,
            revert=body.revert,
        )
    except RegistryError as exc:
        _raise(exc)
    audit(
        request, principal, "registry_edit", card_id, fields=sorted(body.set), reverted=body.revert
    )
    return card_json(card, _path_fn(principal))


@router.post("/registry/build", status_code=202)
def build_registry_job(
    request: Request,
    body: BuildRequest | None = None,
    principal: Principal = Depends(current_principal),
) -> dict:
    """Rebuild the registry and the link map as a background job (AI division, admins)."""
    if not (principal.roles & set(BUILDERS)):
        raise api_error(
            403, "forbidden", "레지스트리는 AI 전담부서와 관리자만 다시 만들 수 있습니다."
        )
    params = {"use_llm": body.use_llm if body else True}
    job = request.app.state.services.jobs.submit("registry_build", params, principal)
    audit(request, principal, "registry_build", job.job_id)
    return {"job_id": job.job_id, "state": job.state, "events": f"/api/v1/jobs/{job.job_id}/events"}


@router.get("/links")
def list_links(
    request: Request,
    department: str | None = Query(None, max_length=200),
    type: Literal["중복", "연계", "선후"] | None = None,  # noqa: A002 - the documented name
    top: int | None = Query(None, ge=1, le=10000),
    principal: Principal = Depends(current_principal),
) -> dict:
    """Links between the caller's visible cards (for 선후, ``a`` is the prerequisite) and the
    통합 플랫폼 후보 clusters over them."""
    from control_tower.registry.link_json import cluster_json, link_json
    from control_tower.registry.link_views import filter_links, link_map

    lm = link_map(request.app.state.services.store, principal)
    links, clusters = filter_links(lm, department=department, link_type=type, top=top)
    path = _path_fn(principal)
    return {
        "links": [link_json(lk, lm.cards, path) for lk in links],
        "clusters": [cluster_json(c, lm.cards) for c in clusters],
    }


@router.get("/links/detail")
def link_detail(
    request: Request,
    a: str = Query(..., max_length=60),
    b: str = Query(..., max_length=60),
    type: Literal["중복", "연계", "선후"] | None = None,  # noqa: A002
    principal: Principal = Depends(current_principal),
) -> dict:
    """One link with its rationale, written by the LLM on first open (cached) when one is
    reachable, else the computed sentence."""
    from control_tower.registry.link_json import link_json
    from control_tower.registry.link_views import find_link, link_map
    from control_tower.registry.rationales import rationale_for

    services = request.app.state.services
    lm = link_map(services.store, principal)
    link = find_link(lm, a, b, type)
    if link is None:
        raise api_error(404, "link_not_found", "연계를 찾을 수 없거나 볼 권한이 없습니다.")
    link = rationale_for(
        services.settings, services.store, link, lm.cards[link.a], lm.cards[link.b]
    )
    return link_json(link, lm.cards, _path_fn(principal))


@router.post(
    "/review",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
)
async def review_proposal(
    request: Request,
    format: Literal["json", "markdown"] = "json",  # noqa: A002
    principal: Principal = Depends(current_principal),
):
    """Upload a 사업계획서 and get the 사전협의-style verdict against the caller's visible
    registry: 추진 / 조건부 추진 / 재검토, with the matches and their evidence."""
    from control_tower.jobs.ingest import staging_dir
    from control_tower.registry.review import review_file
    from control_tower.registry.review_report import review_markdown
    from serving.routers.upload_form import read_upload_form

    services = request.app.state.services
    form = await read_upload_form(request, services.settings, staging_dir(services.settings))
    try:
        if len(form.files) != 1:
            raise api_error(400, "one_file", "검토할 사업계획서 파일을 하나 올리세요 (file 항목).")
        staged = form.files[0]
        try:
            result = await run_in_threadpool(
                review_file,
                services.settings,
                services.store,
                principal,
                staged.path,
                filename=staged.name,
                embedder=services.index.embedder,  # the loaded model, not a second load
            )
        except RegistryError as exc:
            _raise(exc)
    finally:
        form.discard()
    audit(request, principal, "review", staged.name, verdict=result.verdict)
    if format == "markdown":
        return PlainTextResponse(review_markdown(result), media_type="text/markdown; charset=utf-8")
    data = result.model_dump(mode="json")
    if not principal.is_admin:
        for m in data["matches"]:
            for e in m["evidence"]:
                e.pop("path", None)
    return data
