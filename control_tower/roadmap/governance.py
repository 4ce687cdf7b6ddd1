"""추진체계 and risks, computed from the structure (who leads, what can go wrong where).

Risks are found, not listed generically: a platform many initiatives wait on, a year close
to the budget ceiling, initiatives that handle personal data, merged duplicates that need
coordination, initiatives without a documented budget. Their Korean wording is data
(``defaults.json`` "risks").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from control_tower.roadmap.defaults import load_defaults
from control_tower.roadmap.types import Budget, Governance, Initiative, Risk


def governance_for(initiatives: Sequence[Initiative], lead_unit: str | None) -> Governance:
    g = load_defaults()["governance"]
    departments = sorted({d for i in initiatives for d in i.departments})
    return Governance(
        committee=g["committee"],
        lead_unit=lead_unit or g["lead_unit_fallback"],
        members=departments,
        department_leads={d: g["department_role"] for d in departments},
        cadence=list(g["cadence"]),
    )


def _risk(kind: str, initiatives: list[str] | None = None, **values: object) -> Risk:
    text = load_defaults()["risks"][kind]
    return Risk(
        risk=text["risk"].format(**values),
        mitigation=text["mitigation"],
        initiatives=initiatives or [],
    )


def find_risks(initiatives: Sequence[Initiative], budget: Budget) -> list[Risk]:
    risks: list[Risk] = []
    waiting = Counter(dep for i in initiatives for dep in i.depends_on)
    titles = {i.id: i.title for i in initiatives}
    for pid, n in waiting.most_common():
        if n < 2:
            break
        dependents = [i.id for i in initiatives if pid in i.depends_on]
        risks.append(_risk("platform", [pid, *dependents], title=titles[pid], n=n))
    if budget.ceiling_eok:
        tight = [y for y, v in budget.by_year.items() if v >= 0.9 * budget.ceiling_eok]
        if tight:
            risks.append(_risk("ceiling", years=", ".join(f"{y}년" for y in tight)))
    words = load_defaults()["risks"]["personal_words"]
    personal = [i.id for i in initiatives if any(w in f"{i.title} {i.summary}" for w in words)]
    if personal:
        risks.append(_risk("personal", personal, n=len(personal)))
    merged = [i.id for i in initiatives if len(i.cards) > 1]
    if merged:
        risks.append(_risk("merged", merged, n=len(merged)))
    last = max(budget.by_year, default=0)
    unbudgeted = [i.id for i in initiatives if not i.budget_by_year and i.start_year <= last]
    if unbudgeted:
        risks.append(_risk("unbudgeted", unbudgeted, n=len(unbudgeted)))
    return risks
