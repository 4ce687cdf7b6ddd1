"""Compare two versions of a draft: what a reviewer needs to see before restoring one.

Sections as unified line diffs of their text; initiatives by the fields people edit
(phase, years, budget, dependencies), added and removed ones; budget totals by year; and
which checks changed their verdict.
"""

from __future__ import annotations

import difflib

from control_tower.roadmap.types import RoadmapVersion

FIELDS = ("phase", "start_year", "end_year", "depends_on", "budget_by_year", "title")


def compare(a: RoadmapVersion, b: RoadmapVersion) -> dict:
    sections = {}
    for key in dict.fromkeys([*a.sections, *b.sections]):
        old = a.sections.get(key)
        new = b.sections.get(key)
        old_text, new_text = (old.text if old else ""), (new.text if new else "")
        if old_text != new_text:
            lines = difflib.unified_diff(
                old_text.splitlines(), new_text.splitlines(),
                f"{a.version}판", f"{b.version}판", lineterm="", n=1,
            )  # fmt: skip
            sections[key] = {"title": (new or old).title, "diff": "\n".join(lines)}
    ia = {i.id: i for i in a.structure.initiatives}
    ib = {i.id: i for i in b.structure.initiatives}
    changed = []
    for iid in sorted(ia.keys() & ib.keys()):
        x, y = ia[iid].model_dump(include=set(FIELDS)), ib[iid].model_dump(include=set(FIELDS))
        fields = {f: {"from": x[f], "to": y[f]} for f in FIELDS if x[f] != y[f]}
        if fields:
            changed.append({"id": iid, "title": ib[iid].title, "fields": fields})
    years = sorted(a.structure.budget.by_year.keys() | b.structure.budget.by_year.keys())
    budget = {
        y: {
            "from": a.structure.budget.by_year.get(y, 0.0),
            "to": b.structure.budget.by_year.get(y, 0.0),
        }
        for y in years
        if a.structure.budget.by_year.get(y, 0.0) != b.structure.budget.by_year.get(y, 0.0)
    }
    ca = {c.name: c.ok for c in a.checks}
    checks = [
        {"name": c.name, "from": ca.get(c.name), "to": c.ok}
        for c in b.checks
        if ca.get(c.name) != c.ok
    ]
    return {
        "from": a.version,
        "to": b.version,
        "sections": sections,
        "initiatives": {
            "changed": changed,
            "added": [ib[i].title for i in sorted(ib.keys() - ia.keys())],
            "removed": [ia[i].title for i in sorted(ia.keys() - ib.keys())],
        },
        "budget_by_year": budget,
        "total_eok": {"from": a.structure.budget.total_eok, "to": b.structure.budget.total_eok},
        "checks": checks,
        "vision": None
        if a.structure.vision == b.structure.vision
        else {"from": a.structure.vision, "to": b.structure.vision},
    }
