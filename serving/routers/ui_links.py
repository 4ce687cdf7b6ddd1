"""The link pages: the interactive link map (``/links``), one link's evidence panel
(``/links/detail``) and its rationale (``/links/rationale``, written lazily), the duplicate
list (``/links/duplicates``) and the 통합 플랫폼 후보 (``/links/platforms``).

All of them start from ``link_map(store, principal)``: links whose evidence the caller cannot
read are gone or recomputed on what they can read, and clusters are found over the visible
links only. The rationale endpoint is separate so the panel opens at once and the (possibly
slow) LLM sentence arrives after it; ``rationale_for`` caches it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from control_tower.domain import Principal, nfc
from control_tower.linker.types import Link
from control_tower.registry.link_views import LinkMap, filter_links, find_link, link_map
from serving.auth import page_roles
from serving.routers.ui_links_view import MAX_EDGES, cluster_view, graph_json, link_view
from serving.routers.ui_registry import READERS
from serving.routers.ui_registry_view import LINK_TYPES, path_fn_for
from serving.templating import render

router = APIRouter(include_in_schema=False)
NO_LINK = "연결을 찾을 수 없거나 볼 권한이 없습니다."


def _map(request: Request, principal: Principal) -> LinkMap:
    return link_map(request.app.state.services.store, principal)


def _departments(lm: LinkMap) -> list[str]:
    return sorted({d for c in lm.cards.values() for d in c.departments})


@router.get("/links")
def link_map_page(
    request: Request,
    type: str = Query("", max_length=10),  # noqa: A002 - the query parameter's name
    department: str = Query("", max_length=200),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    lm = _map(request, principal)
    department = nfc(department).strip()
    link_type = type if type in LINK_TYPES else ""
    links, clusters = filter_links(lm, department=department or None, link_type=link_type or None)
    path = path_fn_for(principal)
    ctx = {
        "graph": graph_json(lm, links, clusters),
        "links": [link_view(lm, lk, path) for lk in links[:MAX_EDGES]],  # best first
        "links_total": len(links),
        "counts": {t: sum(1 for lk in links if lk.type == t) for t in LINK_TYPES},
        "cards": len(lm.cards),
        "form": {"type": link_type, "department": department},
        "types": LINK_TYPES,
        "departments": _departments(lm),
        "tab": "links",
    }
    return render(request, "links/page.html", principal, ctx)


def _find(request: Request, principal: Principal, a: str, b: str, t: str):  # noqa: ANN202
    lm = _map(request, principal)
    return lm, find_link(lm, a, b, t if t in LINK_TYPES else None)


@router.get("/links/detail")
def link_detail(
    request: Request,
    a: str = Query(..., max_length=200),
    b: str = Query(..., max_length=200),
    type: str = Query("", max_length=10),  # noqa: A002
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    """The side panel for one link (an HTMX partial): both sides' evidence, type, score,
    shared components; the rationale is loaded from ``/links/rationale`` right after."""
    lm, link = _find(request, principal, a, b, type)
    if link is None:
        return render(
            request, "links/_missing.html", principal, {"message": NO_LINK}, status_code=404
        )
    ctx = {"link": link_view(lm, link, path_fn_for(principal)), "lazy": True}
    return render(request, "links/_detail.html", principal, ctx)


def written_rationale(request: Request, lm: LinkMap, link: Link) -> Link:
    """The link with its rationale sentence: the cached LLM one, else the rule sentence."""
    from control_tower.registry.rationales import rationale_for

    services = request.app.state.services
    return rationale_for(
        services.settings, services.store, link, lm.cards[link.a], lm.cards[link.b]
    )


@router.get("/links/rationale")
def link_rationale(
    request: Request,
    a: str = Query(..., max_length=200),
    b: str = Query(..., max_length=200),
    type: str = Query("", max_length=10),  # noqa: A002
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    lm, link = _find(request, principal, a, b, type)
    if link is None:
        return render(
            request, "links/_missing.html", principal, {"message": NO_LINK}, status_code=404
        )
    link = written_rationale(request, lm, link)
    return render(
        request,
        "links/_rationale.html",
        principal,
        {"link": link_view(lm, link, path_fn_for(principal))},
    )


@router.get("/links/duplicates")
def duplicates_page(
    request: Request,
    department: str = Query("", max_length=200),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    lm = _map(request, principal)
    department = nfc(department).strip()
    links, _ = filter_links(lm, department=department or None, link_type="중복")
    path = path_fn_for(principal)
    ctx = {
        "links": [link_view(lm, lk, path) for lk in links],
        "form": {"department": department},
        "departments": _departments(lm),
        "tab": "duplicates",
    }
    return render(request, "links/duplicates.html", principal, ctx)


@router.get("/links/platforms")
def platforms_page(
    request: Request,
    department: str = Query("", max_length=200),
    principal: Principal = Depends(page_roles(*READERS)),
) -> Response:
    lm = _map(request, principal)
    department = nfc(department).strip()
    _, clusters = filter_links(lm, department=department or None)
    ctx = {
        "clusters": [cluster_view(lm, c) for c in clusters],
        "form": {"department": department},
        "departments": _departments(lm),
        "tab": "platforms",
    }
    return render(request, "links/platforms.html", principal, ctx)
