"""Mentions → cards: one card per project, however many documents speak of it.

Same project means the documents *refer to it*: its name or an alias (``project_names``),
the same lead department, and a period and budget that do not contradict. Similar work by
two departments stays two cards (the linker joins them with ``중복``) — merging them would
hide exactly what the control tower exists to show.

1. Primary mentions (a plan's overview, an import row) are grouped, oldest first, within
   their lead department.
2. Reference mentions (budget-sheet and work-plan rows) attach to the group they name; a
   row naming no known project but carrying its own budget starts a card of its own.
3. Any other document that names a card (a meeting note, a progress report) is attached to
   it as a cited passage (``attach.py``).
Values stay per source, newest document first, so conflicts are shown side by side.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from control_tower.domain import name_key
from control_tower.registry.project_names import core_key, name_similarity, tokens
from control_tower.registry.types import CARD_FIELDS, FieldValue, Mention, ProjectCard

MATCH = 0.85  # name similarity at which two mentions name the same project
MAX_BUDGET_RATIO = 3.0  # a revised plan may grow; a 3x different budget is another project
MAX_YEAR_GAP = 3


@dataclass
class Group:
    mentions: list[Mention] = field(default_factory=list)

    @property
    def lead(self) -> str:
        return _lead(self.mentions[0])

    def names(self) -> list[str]:
        out: list[str] = []
        for m in self.mentions:
            for n in [m.name, *(_value(m, "aliases") or [])]:
                if n and n not in out:
                    out.append(n)
        return out

    def similarity(self, name: str) -> float:
        return max((name_similarity(name, n) for n in self.names()), default=0.0)

    def consistent(self, m: Mention) -> bool:
        for other in self.mentions:
            if not _numbers_agree(other, m):
                return False
        return True


def _value(m: Mention, key: str):
    fv = m.fields.get(key)
    return fv.value if fv else None


def _lead(m: Mention) -> str:
    return name_key(m.lead_department or m.source.department or "")


def _numbers_agree(a: Mention, b: Mention) -> bool:
    ba, bb = _value(a, "budget_eok"), _value(b, "budget_eok")
    if ba and bb and max(ba, bb) / max(min(ba, bb), 1e-9) > MAX_BUDGET_RATIO:
        return False
    ya, yb = _value(a, "start_year"), _value(b, "start_year")
    return not (ya and yb and abs(ya - yb) > MAX_YEAR_GAP)


def _date(m: Mention) -> date:
    return m.source.doc_date or date.min


def _order(m: Mention) -> tuple:
    return (_date(m), m.source.doc_id, m.source.row or 0, m.source.char_start or 0)


def group_mentions(mentions: Iterable[Mention]) -> tuple[list[Group], int]:
    """Groups of mentions of one project each, and how many references named nothing."""
    mentions = sorted(mentions, key=_order)
    groups: list[Group] = []
    by_lead: dict[str, list[Group]] = defaultdict(list)

    def best(m: Mention, pool: list[Group]) -> Group | None:
        scored = [(g.similarity(m.name), i, g) for i, g in enumerate(pool)]
        scored = [s for s in scored if s[0] >= MATCH and s[2].consistent(m)]
        return max(scored, key=lambda s: (s[0], -s[1]))[2] if scored else None

    def new_group(m: Mention) -> None:
        g = Group([m])
        groups.append(g)
        by_lead[_lead(m)].append(g)

    for m in (m for m in mentions if m.role == "primary"):
        g = best(m, by_lead[_lead(m)])
        g.mentions.append(m) if g else new_group(m)

    def subset(m: Mention, pool: list[Group]) -> Group | None:
        """A budget row's short name ("AI 비전 품질검사 보급") inside exactly one of its
        department's project names ("철강 뿌리기업 AI 비전 품질검사 보급")."""
        words = tokens(m.name)
        if len(words) < 2:
            return None
        hits = [g for g in pool if g.consistent(m) and any(words <= tokens(n) for n in g.names())]
        return hits[0] if len(hits) == 1 else None

    # pass 1: references that name a planned project; pass 2: the rest among themselves
    leftover: list[Mention] = []
    for m in (m for m in mentions if m.role == "reference"):
        pool = by_lead[_lead(m)]
        g = best(m, pool) or subset(m, pool)
        if g is None:  # a sheet without a department column: only an unambiguous exact name
            exact = [g for g in groups if g.similarity(m.name) >= 0.999]
            g = exact[0] if len(exact) == 1 else None
        if g is not None:
            g.mentions.append(m)
        else:
            leftover.append(m)
    dropped = 0
    for m in leftover:
        pool = by_lead[_lead(m)]
        g = best(m, pool) or subset(m, pool)
        if g is not None:
            g.mentions.append(m)
        elif _value(m, "budget_eok"):
            new_group(m)
        else:
            dropped += 1
    return groups, dropped


def card_id(group: Group) -> str:
    """Stable across rebuilds: the oldest mention's document and the project's core name."""
    first = group.mentions[0]
    seed = f"{first.source.doc_id}#{core_key(first.name)}"
    return "p-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:12]


def card_from_group(group: Group) -> ProjectCard:
    # Plans before budget rows, then newest first: a budget sheet states one year's
    # appropriation, a plan the project's total; a revised plan still beats the first plan.
    newest_first = sorted(
        group.mentions, key=lambda m: (m.role == "primary", _date(m)), reverse=True
    )
    primary = next((m for m in newest_first if m.role == "primary"), newest_first[0])
    fields: dict[str, list[FieldValue]] = {}
    for key in CARD_FIELDS:
        values = [m.fields[key] for m in newest_first if key in m.fields]
        if key == "departments" and not values:
            values = [FieldValue(value=[_lead(primary)], method="rule", source=primary.source)]
        if values:
            fields[key] = values
    # the chosen name first, every other document's name after it: a caller who cannot read
    # the newest plan still sees the card under the name their own documents give it
    names = fields.get("name", [])
    chosen = [fv for fv in names if fv.source == primary.source][:1] or [
        FieldValue(value=primary.name, method="rule", source=primary.source)
    ]
    fields["name"] = chosen + [fv for fv in names if fv.source != primary.source]
    aliases = [n for n in group.names() if core_key(n) != core_key(primary.name)]
    if aliases:
        fields["aliases"] = [FieldValue(value=aliases, method="rule", source=primary.source)]
    passages = [p for m in newest_first for p in m.passages]
    origin = "import" if primary.source.doc_id.startswith("import:") else "extract"
    return ProjectCard(id=card_id(group), fields=fields, passages=passages, origin=origin)


def resolve(mentions: Iterable[Mention]) -> tuple[list[ProjectCard], int]:
    """Cards for all mentions (ids unique), and the count of references that named nothing."""
    groups, dropped = group_mentions(mentions)
    cards: list[ProjectCard] = []
    seen: dict[str, int] = {}
    for g in groups:
        card = card_from_group(g)
        n = seen.get(card.id, 0)
        seen[card.id] = n + 1
        if n:
            card = card.model_copy(update={"id": f"{card.id}-{n}"})
        cards.append(card)
    return cards, dropped


def carry_ids(cards: list[ProjectCard], previous: dict[str, set[str]]) -> list[ProjectCard]:
    """Keep a card's id when the document that seeded it is gone or an older one arrived:
    a new card id that the last build did not have takes the id of the previous card it
    shares most sources with (at least half of them), if that id is free. Edits are keyed
    by card id, so an id that survives is an edit that survives."""
    taken = {c.id for c in cards}
    out: list[ProjectCard] = []
    for card in cards:
        if card.id in previous:
            out.append(card)
            continue
        mine = {s.doc_id for s in card.sources()}
        best, overlap = None, 0.0
        for old_id, docs in previous.items():
            if old_id in taken or not docs:
                continue
            share = len(mine & docs) / len(docs)
            if share > overlap:
                best, overlap = old_id, share
        if best is not None and overlap >= 0.5:
            taken.add(best)
            card = card.model_copy(update={"id": best})
        out.append(card)
    return out
