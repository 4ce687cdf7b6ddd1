"""The FastAPI application: JSON API under /api/v1, health probes, and the Korean web UI."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from control_tower import __version__
from control_tower.health import StartupState
from control_tower.settings import Settings, get_settings
from serving.csrf import install_security
from serving.errors import install_error_handlers
from serving.services import Services
from serving.web_assets import warn_if_missing

STATIC_DIR = Path(__file__).resolve().parent / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """Background jobs: recover interrupted rows, then run the embedded Huey consumer."""
    services = app.state.services
    if services.settings.jobs_embedded:
        services.jobs.start()
    try:
        yield
    finally:
        if "jobs" in services.__dict__:
            services.jobs.stop()


def install_api_docs(app: FastAPI) -> None:
    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="AI 혁신 컨트롤타워 API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-favicon-32x32.png",
        )


def install_no_store(app: FastAPI) -> None:
    """Nothing but static assets may be cached: on a shared office PC, Back after logout must
    not show search results, passages or document lists again. No page may be framed by
    another site (clickjacking a signed-in user), and no answer is type-sniffed."""

    @app.middleware("http")
    async def _no_store(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        headers = response.headers
        if not request.url.path.startswith("/static/"):
            headers.setdefault("Cache-Control", "no-store")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        return response


def create_app(settings: Settings | None = None, *, startup: StartupState | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Control Tower (AI 혁신 컨트롤타워)",
        version=__version__,
        docs_url=None,  # served below from the npm-installed Swagger UI, not a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
        # Starlette's slash redirect builds an absolute URL from the Host header (a forged
        # Host would redirect off-site); /search/ is simply not a page.
        redirect_slashes=False,
    )
    app.state.services = Services(settings)
    app.state.startup = startup or StartupState(llm_required=False)

    from serving.routers import (
        account_keys,
        auth,
        auth_api,
        documents,
        health,
        ideas_api,
        jobs,
        registry_api,
        roadmaps_api,
        search,
        ui,
        ui_documents,
    )

    app.include_router(health.router)
    app.include_router(auth_api.router)  # before ui: it owns /api/v1/me
    app.include_router(auth.router)
    app.include_router(account_keys.router)
    app.include_router(search.router)
    app.include_router(documents.router)
    app.include_router(registry_api.router)
    app.include_router(ideas_api.router)
    app.include_router(roadmaps_api.router)
    app.include_router(jobs.router)
    from serving.routers import chat_api, openai_compat  # 챗봇: SSE API, OpenAI 호환

    app.include_router(chat_api.router)
    app.include_router(openai_compat.router)
    app.include_router(ui.router)
    from serving.routers import admin as admin_routes  # admin, audit log, AI 활용 현황

    app.include_router(admin_routes.router)
    app.include_router(ui_documents.router)
    from serving.routers import ui_links, ui_registry, ui_review  # registry, link map, review

    app.include_router(ui_registry.router)
    app.include_router(ui_links.router)
    app.include_router(ui_review.router)
    from serving.routers import ui_chat, ui_ideas, ui_roadmaps  # AI 비서, 사업 발굴, 로드맵

    app.include_router(ui_ideas.router)
    app.include_router(ui_roadmaps.router)
    app.include_router(ui_chat.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    warn_if_missing()  # htmx and the Korean font come from `make setup` (npm)

    install_api_docs(app)
    install_no_store(app)
    install_error_handlers(app)
    install_security(app)  # CSRF middleware, login redirect and 403 page for page routes
    return app
