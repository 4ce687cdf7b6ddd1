"""The demo's first roadmap draft: ``make run`` opens with one already being drafted.

Submitted as an ordinary ``roadmap_draft`` job, as the demo's AI-division user, once — only
while no draft exists — so the workspace shows a draft (and its progress) on first start and
never piles up drafts on later starts.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from control_tower.roadmap.types import Guidance

USERS_FILE = Path(__file__).with_name("users.json")
HORIZON_YEARS = 5


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


def ensure_demo_roadmap(services, *, use_llm: bool) -> str | None:  # noqa: ANN001
    """Submit the demo draft job unless a draft exists; the job id, or None."""
    from control_tower.roadmap.repo import RoadmapRepo

    if RoadmapRepo(services.store).drafts():
        return None
    user = demo_drafter(services.store)
    if user is None:
        return None
    params = {
        "username": user.username,
        "guidance": demo_guidance().model_dump(mode="json"),
        "use_llm": use_llm,
    }
    job = services.jobs.submit("roadmap_draft", params, user.principal(), title="데모 로드맵 초안")
    return job.job_id
