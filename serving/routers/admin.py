"""The admin and AI-adoption surfaces in one router for ``create_app`` to include:
users, departments, API keys (API + pages), the audit log (page, API, CSV) and
AI 활용 현황 (page + API). Each part lives in its own module; see their docstrings."""

from __future__ import annotations

from fastapi import APIRouter

from serving.routers import admin_api, admin_audit, admin_pages, admin_users, usage

router = APIRouter()
router.include_router(admin_api.router)
router.include_router(admin_audit.router)
router.include_router(admin_pages.router)
router.include_router(admin_users.router)
router.include_router(usage.router)
