"""``ct roadmap draft``'s first half: the whole roadmap structure, computed, no LLM.

The pipeline, in order:
1. initiatives from cards, duplicates, platform clusters and accepted proposals
   (``initiatives``), with dependencies from ``선후`` links and platform needs;
2. dependency order (a cycle is an error naming it) and scheduling of movable initiatives
   after their prerequisites (``ordering``);
3. budgets spread by year, then fitted under the yearly ceiling (``budget``);
4. phases 단기·중기·장기, pillars, goals and KPIs, the training plan, governance and risks;
5. the sources appendix, numbered, which section prose cites as [n].
A pure function of its inputs, so the CLI, the API, the job and the Seoul-scale benchmark
all compute the same plan from the same cards.
"""

from __future__ import annotations

from collections.abc import Sequence

from control_tower.ideation.types import Proposal
from control_tower.linker.types import Cluster, Link
from control_tower.registry.types import ProjectCard
from control_tower.registry.views import location_path
from control_tower.roadmap import budget as budgets
from control_tower.roadmap.defaults import load_defaults
from control_tower.roadmap.governance import find_risks, governance_for
from control_tower.roadmap.initiatives import (
    build_initiatives,
    card_source,
    proposal_initiative_id,
)
from control_tower.roadmap.kpis import goals_for, initiative_kpis
from control_tower.roadmap.ordering import assign_phases, schedule, split_phases, topological_order
from control_tower.roadmap.pillars import assign_pillars
from control_tower.roadmap.stats import registry_stats
from control_tower.roadmap.training import training_plan
from control_tower.roadmap.types import Guidance, Initiative, RoadmapStructure, SourceLink


def build_structure(
    guidance: Guidance,
    cards: Sequence[ProjectCard],
    links: Sequence[Link],
    clusters: Sequence[Cluster],
    proposals: Sequence[Proposal] = (),
    *,
    lead_unit: str | None = None,
) -> RoadmapStructure:
    first, last = guidance.from_year, guidance.to_year
    phases = split_phases(first, last)
    initiatives, totals = build_initiatives(cards, links, clusters, proposals, first)
    _place_proposals(initiatives, proposals, phases)
    order = topological_order(initiatives)
    schedule(initiatives, order, first, last)
    for ini in initiatives:
        ini.budget_by_year = budgets.spread(
            totals.get(ini.id), ini.start_year, ini.end_year, first, last
        )
    notes = budgets.fit_ceiling(initiatives, totals, guidance.ceiling_eok, first, last)
    assign_phases(initiatives, phases, order)
    _attach_kpis(initiatives, {c.id: c for c in cards}, {p.id: p for p in proposals})
    pillars = assign_pillars(initiatives, guidance)
    budget = budgets.tally(initiatives, guidance.ceiling_eok)
    budget.notes = notes
    structure = RoadmapStructure(
        guidance=guidance,
        title=guidance.title or f"{load_defaults()['title']} ({first}~{last})",
        vision=guidance.vision or load_defaults()["vision"],
        goals=goals_for(pillars, initiatives, first, last),
        pillars=pillars,
        initiatives=initiatives,
        phases=phases,
        budget=budget,
        training=training_plan(initiatives, guidance),
        governance=governance_for(initiatives, lead_unit),
        risks=find_risks(initiatives, budget),
        stats=registry_stats(cards, links, clusters),
        order=order,
    )
    structure.sources = appendix(structure)
    return structure


def recompute(structure: RoadmapStructure) -> RoadmapStructure:
    """Re-derive totals, phases, KPIs' years and training after an edit of the structure
    (an initiative's phase or years, a budget line); the edited values themselves stay."""
    s = structure.model_copy(deep=True)
    first, last = s.guidance.from_year, s.guidance.to_year
    s.order = topological_order(s.initiatives)
    assign_phases(s.initiatives, s.phases, s.order)
    for ini in s.initiatives:
        for kpi in ini.kpis:
            kpi.target_year = ini.end_year
    budget = budgets.tally(s.initiatives, s.guidance.ceiling_eok)
    budget.notes = s.budget.notes
    s.budget = budget
    s.training = training_plan(s.initiatives, s.guidance)
    s.risks = find_risks(s.initiatives, budget)
    s.goals = goals_for(s.pillars, s.initiatives, first, last)
    s.sources = appendix(s)
    return s


def _place_proposals(initiatives: list[Initiative], proposals: Sequence[Proposal], phases) -> None:  # noqa: ANN001
    """A proposal starts no earlier than its suggested phase."""
    phase_start = {p.name: p.start_year for p in phases}
    wanted = {proposal_initiative_id(p.id): p.phase for p in proposals}
    for ini in initiatives:
        if ini.id in wanted:
            start = phase_start.get(wanted[ini.id], phases[-1].start_year)
            length = ini.end_year - ini.start_year
            ini.start_year, ini.end_year = start, start + length


def _attach_kpis(
    initiatives, cards: dict[str, ProjectCard], proposals: dict[str, Proposal]
) -> None:  # noqa: ANN001
    for ini in initiatives:
        texts: list[tuple[str, SourceLink | None]] = []
        for cid in ini.cards:
            card = cards.get(cid)
            for fv in card.fields.get("kpis", []) if card else []:
                src = card_source(card)
                if fv.source is not None:
                    src = src.model_copy(update={
                        "doc_id": fv.source.doc_id, "title": fv.source.title,
                        "path": location_path(fv.source), "page": fv.source.page,
                        "section": fv.source.section,
                    })  # fmt: skip
                texts += [(str(v), src) for v in fv.value or []]
        for src in ini.sources:
            if src.proposal and src.proposal in proposals:
                texts += [(k, src) for k in proposals[src.proposal].kpis]
        ini.kpis = initiative_kpis(ini, _unique(texts))


def _unique(texts: list[tuple[str, SourceLink | None]]) -> list[tuple[str, SourceLink | None]]:
    seen, out = set(), []
    for text, src in texts:
        if text not in seen:
            seen.add(text)
            out.append((text, src))
    return out


def appendix(structure: RoadmapStructure) -> list[SourceLink]:
    """Every cited document once, in the order initiatives first cite them."""
    seen: dict[str, SourceLink] = {}
    for ini in structure.initiatives:
        for src in ini.sources:
            key = src.doc_id or f"proposal:{src.proposal}"
            if src.doc_id or src.proposal:
                seen.setdefault(key, src)
    return list(seen.values())
