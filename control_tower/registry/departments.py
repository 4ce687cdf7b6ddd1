"""Resolve department text (``농업기술센터 미래농업팀 (팀장 …)``) to the city's managed names.

A 담당부서 line names a department, often followed by a team and a contact; only the managed
department counts (a team is not a department of the registry). Longest names first, so
``정보통신과`` never loses to a shorter name that happens to be inside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def _variants(name: str) -> list[str]:
    # "포항시 정보통신과" and "정보통신과" are the same department; spaces inside vary.
    return [name, name.replace(" ", "")]


def find_departments(text: str, departments: Sequence[str]) -> list[str]:
    """Every managed department named in ``text``, in order of first appearance."""
    if not text:
        return []
    squashed = re.sub(r"\s+", "", text)
    hits: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for name in sorted(set(departments), key=len, reverse=True):
        key = name.replace(" ", "")
        if not key:
            continue
        start = squashed.find(key)
        while start >= 0:
            end = start + len(key)
            if not any(s < end and start < e for s, e in taken):
                hits.append((start, name))
                taken.append((start, end))
                break
            start = squashed.find(key, start + 1)
    return [name for _, name in sorted(hits)]


def resolve_department(text: str, departments: Sequence[str]) -> str | None:
    """The first managed department named in ``text`` (None when it names none)."""
    found = find_departments(text, departments)
    return found[0] if found else None
