"""The ``roadmap_draft`` job: ``ct roadmap draft`` as a background job with progress.

The job runs as the user who asked for it, re-read from the store when it starts (a user
disabled or demoted meanwhile drafts nothing). One draft at a time (``serial="roadmap"``):
drafting is LLM-bound and two drafts would only halve each other's speed. The result names
the draft and its version, which the workspace page then opens.
"""

from __future__ import annotations

from control_tower.jobs.registry import JobContext, register_job
from control_tower.jobs.types import JobError

KIND = "roadmap_draft"


def roadmap_draft(ctx: JobContext, params: dict) -> dict:
    from control_tower.accounts import get_user
    from control_tower.roadmap.ordering import RoadmapError
    from control_tower.roadmap.service import draft_roadmap
    from control_tower.roadmap.types import Guidance

    user = get_user(ctx.store, str(params.get("username", "")))
    if user is None or user.disabled:
        raise JobError(
            "user_unavailable", "초안을 요청한 사용자를 찾을 수 없거나 사용이 중지되었습니다."
        )
    guidance = Guidance.model_validate(params["guidance"])
    try:
        v = draft_roadmap(
            ctx.settings,
            ctx.store,
            user.principal(),
            guidance,
            use_llm=bool(params.get("use_llm", True)),
            progress=ctx.progress,
        )
    except RoadmapError as exc:
        raise JobError(exc.code, exc.message_ko) from None
    failed = [c.name for c in v.checks if not c.ok]
    summary = f"초안 {v.draft_id} {v.version}판: 추진과제 {len(v.structure.initiatives)}개"
    ctx.message(summary + (f", 점검 실패 {len(failed)}건" if failed else ", 점검 모두 통과"))
    return {
        "draft_id": v.draft_id,
        "version": v.version,
        "initiatives": len(v.structure.initiatives),
        "failed_checks": failed,
        "templates": [k for k, s in v.sections.items() if s.method == "template"],
    }


register_job(KIND, roadmap_draft, title_ko="중장기 AI 로드맵 초안 작성", serial="roadmap")
