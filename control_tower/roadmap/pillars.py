"""Strategic pillars and the initiatives under each.

Pillars are the guidance's when given, else the defaults (공통 기반 · 시민 서비스 · 산업
전환), plus the staff capability pillar, which always exists. An initiative goes to the pillar
whose words it mentions most; with the default pillars a platform initiative goes to the
first (the shared foundation) and a service to one of the others; ties go to the earlier
pillar, so the result is stable.
"""

from __future__ import annotations

from collections.abc import Sequence

from control_tower.roadmap.defaults import load_defaults
from control_tower.roadmap.types import Guidance, Initiative, Pillar


def pillar_specs(guidance: Guidance) -> list[tuple[str, str, list[str]]]:
    """(name, goal, words) of each initiative pillar."""
    if guidance.pillars:
        return [
            (name, "", [w for w in name.replace("·", " ").split() if len(w) >= 2])
            for name in guidance.pillars
        ]
    return [(p["name"], p["goal"], p["keywords"]) for p in load_defaults()["pillars"]]


def _best(ini: Initiative, specs: list[tuple[str, str, list[str]]], *, default: bool) -> int:
    """The pillar whose words the initiative mentions most (ties: the earlier pillar). With
    the default pillars, platforms form the first (공통 기반) and services choose among the
    rest, since nearly every service mentions data or a platform."""
    if default and ini.kind == "platform":
        return 0
    text = " ".join([ini.title, ini.summary, *ini.technologies, *ini.departments])
    candidates = range(1, len(specs)) if default and len(specs) > 1 else range(len(specs))
    return max(candidates, key=lambda k: (sum(text.count(w) for w in specs[k][2]), -k))


def assign_pillars(initiatives: Sequence[Initiative], guidance: Guidance) -> list[Pillar]:
    specs = pillar_specs(guidance)
    pillars = [Pillar(name=name, goal=goal) for name, goal, _ in specs]
    for ini in initiatives:
        best = _best(ini, specs, default=not guidance.pillars)
        ini.pillar = pillars[best].name
        pillars[best].initiatives.append(ini.id)
    cap = load_defaults()["capability_pillar"]
    pillars.append(Pillar(name=cap["name"], goal=cap["goal"]))
    return pillars
