"""Rendering one roadmap draft's workspace, shared by the page and its edit routes.

Why a module of its own: the GET page and every edit (which re-renders the workspace with
the engine's Korean error) show the same thing; both routers import it, neither the other.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import Response

from control_tower.domain import Principal
from control_tower.roadmap.ordering import RoadmapError
from control_tower.roadmap.service import get_version, may_draft, versions
from serving.routers.ui_roadmaps_view import workspace
from serving.templating import render


def not_found(request: Request, principal: Principal, message: str) -> Response:
    return render(request, "not_found.html", principal, {"message": message}, status_code=404)


def saved_text(saved: str, v) -> str:  # noqa: ANN001 - a RoadmapVersion
    """The confirmation after an edit's redirect (``?saved=what:key``), in Korean."""
    what, _, key = saved.partition(":")
    title = v.sections[key].title if key in v.sections else ""
    return (
        {
            "regenerated": f"「{title}」 절을 다시 썼습니다 ({v.version}판).",
            "edited": f"「{title}」 절을 고쳤습니다 ({v.version}판).",
            "structure": f"구조를 고치고 점검을 다시 했습니다 ({v.version}판: {v.note}).",
            "restored": f"{key}판을 복원했습니다 ({v.version}판).",
        }.get(what, "")
        if title or what in ("structure", "restored")
        else ""
    )


def show(
    request: Request,
    principal: Principal,
    draft_id: str,
    *,
    version: int | None = None,
    error: str = "",
    saved: str = "",
    status: int = 200,
) -> Response:
    """The workspace of ``draft_id`` (a given version read-only), or the 404 page."""
    store = request.app.state.services.store
    try:
        current = get_version(store, principal, draft_id)
        v = current if version in (None, current.version) else None
        v = v or get_version(store, principal, draft_id, version)
        history = [h | {"when": datetime.fromisoformat(h["created_at"])}
                   for h in versions(store, principal, draft_id)]  # fmt: skip
    except RoadmapError as err:
        return not_found(request, principal, err.message_ko)
    ctx = workspace(v, principal) | {
        "draft_id": draft_id,
        "current": current.version,
        "is_current": v.version == current.version,
        "can_edit": may_draft(principal) and v.version == current.version,
        "can_restore": may_draft(principal),
        "history": history,
        "error": error,
        "saved": saved_text(saved, v),
        "open_initiative": saved.partition(":")[2] if saved.startswith("structure:") else "",
    }
    return render(request, "roadmaps/workspace.html", principal, ctx, status_code=status)
