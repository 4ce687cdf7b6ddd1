"""The demo's first roadmap draft: ``make run`` opens with one already being drafted.

Submitted as an ordinary ``roadmap_draft`` job, as the demo's AI-division user, once — only
while no draft exists — so the workspace shows a draft (and its progress) on first start and
never piles up drafts on later starts. Before it, the demo plays the AI division's part once:
for a few departments it asks ``ct ideas`` and accepts the best proposal (decided by that
user, as on the ideas page), so the demo roadmap also schedules new work in 중기·장기.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from control_tower.roadmap.types import Guidance

USERS_FILE = Path(__file__).with_name("users.json")
HORIZON_YEARS = 5
DEMO_IDEA_DEPARTMENTS = ("교통정책과", "재난안전과", "복지정책과", "환경정책과")


def demo_drafter(store):  # noqa: ANN001, ANN201 - the demo AI-division user, or None
    from control_tower.accounts import get_user

    for entry in json.loads(USERS_FILE.read_text("utf-8"))["users"]:
        if "ai_division" in entry["roles"]:
            user = get_user(store, entry["username"])
            if user is not None and not user.disabled:
                return user
    return None


def demo_guidance(today: date | None = None) -> Guidance:
    first = (today or date.today()).year
    return Guidance(from_year=first, to_year=first + HORIZON_YEARS - 1)


def accept_demo_proposals(services, principal) -> list[str]:  # noqa: ANN001
    """Accept each demo department's best 신규 proposal (once: skipped if any is accepted)."""
    from control_tower.ideation.service import accepted_proposals, decide, ideas_for

    if accepted_proposals(services.store, principal):
        return []
    accepted = []
    for department in DEMO_IDEA_DEPARTMENTS:
        proposals = ideas_for(services.settings, services.store, principal, department, top=3,
                              embedder=services.index.embedder)  # fmt: skip
        best = next((p for p in proposals if p.kind == "신규"), None)
        if best is not None:
            decide(services.store, principal, best.id, "채택")
            accepted.append(best.title)
    return accepted


def ensure_demo_roadmap(services, *, use_llm: bool) -> str | None:  # noqa: ANN001
    """Submit the demo draft job unless a draft exists; the job id, or None."""
    from control_tower.roadmap.repo import RoadmapRepo

    if RoadmapRepo(services.store).drafts():
        return None
    user = demo_drafter(services.store)
    if user is None:
        return None
    accept_demo_proposals(services, user.principal())
    params = {
        "username": user.username,
        "guidance": demo_guidance().model_dump(mode="json"),
        "use_llm": use_llm,
    }
    job = services.jobs.submit("roadmap_draft", params, user.principal(), title="데모 로드맵 초안")
    return job.job_id
