"""Dependency order and scheduling: a platform or data set before everything that needs it.

The order is a topological sort of the initiatives' ``depends_on`` graph (networkx, ties
broken by id so the same input gives the same plan). A cycle is an error that names the
cycle — a roadmap cannot schedule "A needs B needs A", and guessing which edge to drop would
hide a planning mistake. Scheduling then moves only *movable* initiatives (proposals,
platforms and cards without documented years): each starts no earlier than the year after
its prerequisites start, so the platform is under way before the services that use it.
Initiatives whose years a document states (``fixed``) keep them; if a document schedules a
service before its platform, the order check reports it rather than rewriting the plan.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from control_tower.roadmap.types import Initiative, Phase


class RoadmapError(Exception):
    def __init__(self, code: str, message_ko: str, *, status: int = 422) -> None:
        super().__init__(message_ko)
        self.code, self.message_ko, self.status = code, message_ko, status


def dependency_graph(initiatives: Sequence[Initiative]) -> nx.DiGraph:
    """Edges prerequisite → dependent, over known ids only (unknown ids are dropped)."""
    ids = {i.id for i in initiatives}
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(ids))
    for ini in initiatives:
        for dep in ini.depends_on:
            if dep in ids and dep != ini.id:
                graph.add_edge(dep, ini.id)
    return graph


def topological_order(initiatives: Sequence[Initiative]) -> list[str]:
    graph = dependency_graph(initiatives)
    try:
        return list(nx.lexicographical_topological_sort(graph))
    except nx.NetworkXUnfeasible:
        titles = {i.id: i.title for i in initiatives}
        cycle = [edge[0] for edge in nx.find_cycle(graph)]
        named = " → ".join(f"「{titles[c]}」" for c in [*cycle, cycle[0]])
        raise RoadmapError(
            "dependency_cycle",
            f"추진과제의 선후관계에 순환이 있습니다: {named}. "
            "선행 관계를 하나 고친 뒤 다시 만드세요.",
        ) from None


def schedule(initiatives: list[Initiative], order: list[str], first: int, last: int) -> None:
    """Set start/end years of movable initiatives in place, prerequisites first."""
    by_id = {i.id: i for i in initiatives}
    for iid in order:
        ini = by_id[iid]
        if ini.fixed:
            continue
        duration = max(1, ini.end_year - ini.start_year + 1)
        deps = [by_id[d] for d in ini.depends_on if d in by_id]
        earliest = max([first, ini.start_year, *(d.start_year + 1 for d in deps)])
        start = min(earliest, last)
        ini.start_year, ini.end_year = start, start + duration - 1


def order_violations(initiatives: Sequence[Initiative]) -> list[str]:
    """Korean descriptions of every dependency whose prerequisite starts after the dependent."""
    by_id = {i.id: i for i in initiatives}
    found = []
    for ini in initiatives:
        for dep in (by_id[d] for d in ini.depends_on if d in by_id):
            if dep.start_year > ini.start_year:
                found.append(
                    f"「{ini.title}」({ini.start_year}년 착수)이(가) 선행과제 「{dep.title}」"
                    f"({dep.start_year}년 착수)보다 먼저 시작합니다."
                )
    return found


def split_phases(first: int, last: int) -> list[Phase]:
    """단기·중기·장기 over the horizon: about 40 % / 40 % / the rest (at least one year each
    while there are years left), the way multi-year public plans split 5-year horizons 2/2/1."""
    n = last - first + 1
    short = max(1, round(n * 0.4))
    mid = min(max(1, round(n * 0.4)), n - short)
    bounds = [("단기", first, first + short - 1)]
    if mid > 0:
        bounds.append(("중기", first + short, first + short + mid - 1))
    if first + short + mid <= last:
        bounds.append(("장기", first + short + mid, last))
    return [Phase(name=name, start_year=a, end_year=b) for name, a, b in bounds]


def assign_phases(initiatives: Sequence[Initiative], phases: list[Phase], order: list[str]) -> None:
    """Each initiative goes to the phase in which it starts (clipped to the horizon)."""
    position = {iid: k for k, iid in enumerate(order)}
    for phase in phases:
        phase.initiatives = []
    for ini in sorted(initiatives, key=lambda i: position.get(i.id, 0)):
        year = min(max(ini.start_year, phases[0].start_year), phases[-1].end_year)
        phase = next(p for p in phases if p.start_year <= year <= p.end_year)
        ini.phase = phase.name
        phase.initiatives.append(ini.id)
