"""The one ``Jinja2Templates`` instance of the web UI, its globals and filters, and
``render``, which gives every page the context the layout (``base.html``) needs.

Why one instance: the layout, the page templates of every router (search, documents, auth,
admin, later issues) and their filters must agree; a second instance would miss the globals.
Autoescape is on (Starlette's default for .html): text from documents is escaped unless a
template marks a value ``|safe`` on purpose (only server-made snippets with ``<mark>``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response
from starlette.routing import Match

from control_tower import __version__
from control_tower.domain import Principal
from serving import labels
from serving.navigation import current_url, nav_for
from serving.text_blocks import marked_segments, split_blocks

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
_env = templates.env
_env.globals.update(
    version=__version__,
    product_name="AI 혁신 컨트롤타워",
    ACCESS_LABELS=labels.ACCESS_LABELS,
    STATUS_LABELS=labels.STATUS_LABELS,
    FORMATS=labels.FORMATS,
)

_env.filters.update(
    access_label=labels.access_label,
    format_label=labels.format_label,
    status_label=labels.status_label,
    location=labels.location_label,
    when=labels.format_time,
    blocks=split_blocks,
    marked=marked_segments,
)


def csrf_token_of(request: Request) -> str:
    """The session's CSRF token, which the auth layer leaves on ``request.state``."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        session = getattr(request.state, "session", None)
        token = getattr(session, "csrf_token", None)
    return token or ""


def display_name_of(request: Request, principal: Principal) -> str:
    user = getattr(request.state, "user", None)
    return getattr(user, "display_name", None) or principal.username


def has_route(request: Request, method: str, path: str) -> bool:
    """Whether the app answers ``method path`` (cached per app: routes are fixed at start)."""
    state = request.app.state
    cache: dict[tuple[str, str], bool] | None = getattr(state, "ui_route_cache", None)
    if cache is None:
        cache = state.ui_route_cache = {}
    key = (method, path)
    if key not in cache:
        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "root_path": "",
            "path_params": {},
            "headers": [],
            "query_string": b"",
        }
        cache[key] = any(r.matches(scope)[0] is Match.FULL for r in request.app.router.routes)
    return cache[key]


def static_url(path: str) -> str:
    """A root-relative asset URL with the version as cache buster (no host: proxy-safe)."""
    return f"/static/{path}?v={__version__}"


_env.globals["static_url"] = static_url


def layout_context(request: Request, principal: Principal) -> dict[str, Any]:
    """What ``base.html`` reads: the user, the CSRF token, the navigation."""
    items = nav_for(principal, lambda url: has_route(request, "GET", url))
    return {
        "principal": principal,
        "display_name": display_name_of(request, principal),
        "csrf_token": csrf_token_of(request),
        "nav_items": items,
        "nav_current": current_url(items, request.url.path),
    }


def render(
    request: Request,
    name: str,
    principal: Principal,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A page (or partial) with the layout context. Pages of a signed-in user are never stored
    by the browser (``no-store``): after a logout on a shared office PC, Back must not show
    search results, passages or document lists again."""
    ctx = layout_context(request, principal) | (context or {})
    headers = dict(headers or {})
    if principal.authenticated:
        headers.setdefault("Cache-Control", "no-store")
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)


def is_htmx(request: Request) -> bool:
    """An HTMX swap (answer with the partial) rather than a page load or a history restore."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


__all__ = ["csrf_token_of", "is_htmx", "layout_context", "render", "templates"]
