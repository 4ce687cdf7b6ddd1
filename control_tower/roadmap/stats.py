"""Ⅱ. 현황 및 여건: registry statistics over the cards and links the audience may see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from control_tower.linker.types import Cluster, Link
from control_tower.registry.types import ProjectCard
from control_tower.roadmap.types import RegistryStats


def registry_stats(
    cards: Sequence[ProjectCard], links: Sequence[Link], clusters: Sequence[Cluster]
) -> RegistryStats:
    techs: Counter[str] = Counter()
    for card in cards:
        techs.update(set(card.value("technologies", []) or []))
    return RegistryStats(
        cards=len(cards),
        departments=len({c.lead_department for c in cards if c.lead_department}),
        by_status=dict(Counter(c.value("status") or "미상" for c in cards).most_common()),
        by_department=dict(Counter(c.lead_department or "미상" for c in cards).most_common()),
        by_technology=dict(techs.most_common(12)),
        budget_total_eok=round(sum(float(c.value("budget_eok") or 0) for c in cards), 2),
        links=dict(Counter(lk.type for lk in links).most_common()),
        clusters=len(clusters),
    )
