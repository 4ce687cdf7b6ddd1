"""One roadmap draft → one export ``Document`` (the outline, the prose, the tables, sources).

Sections follow ``SECTION_KEYS``; each gets its level-1 heading, its prose as paragraphs
(the template marker line as a ``Note``, so every exporter shows it as a warning) and the
tables computed from the structure. A section missing from ``sections`` gets its template
text, so a document is never short of a chapter. The appendix heading comes last and the
exporters list ``Document.sources`` under it.
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

from control_tower.roadmap import doc_tables as t
from control_tower.roadmap.document import (
    Block,
    Bullets,
    Document,
    Heading,
    Note,
    Paragraph,
    SourceEntry,
)
from control_tower.roadmap.templates import template_text
from control_tower.roadmap.textfmt import ordered_initiatives, span, titles
from control_tower.roadmap.types import SECTION_KEYS, SECTION_TITLES, RoadmapStructure, Section


def prose_blocks(text: str) -> list[Block]:
    paras = [" ".join(p.split()) for p in text.split("\n\n")]
    return [Note(text=p) if p.startswith("※") else Paragraph(text=p) for p in paras if p]


def _vision(s: RoadmapStructure) -> list[Block]:
    items = [f"비전: {s.vision}"]
    items += [f"목표 {n}. {g.title}" for n, g in enumerate(s.goals, start=1)]
    items += [
        f"추진전략 {n}. {p.name}" + (f" — {p.goal}" if p.goal else "")
        + (f" (과제: {', '.join(titles(s, p.initiatives))})" if p.initiatives else "")
        for n, p in enumerate(s.pillars, start=1)
    ]  # fmt: skip
    return [Bullets(items=items), t.goal_kpi_table(s)]


def _initiatives(s: RoadmapStructure) -> list[Block]:
    out: list[Block] = []
    for n, ini in enumerate(ordered_initiatives(s), start=1):
        out += [Heading(level=2, text=f"{n}. {ini.title}"), t.initiative_card(s, ini)]
    return out


def _governance(s: RoadmapStructure) -> list[Block]:
    g = s.governance
    items = [f"위원회: {g.committee}" + (f" (구성: {', '.join(g.members)})" if g.members else "")]
    items.append(f"전담부서: {g.lead_unit}")
    items += [f"부서별 담당: {d} — {role}" for d, role in g.department_leads.items()]
    items += [f"운영: {c}" for c in g.cadence]
    out: list[Block] = [Bullets(items=items), t.kpi_table(s), t.training_table(s)]
    return out + ([t.risk_table(s)] if s.risks else [])


TABLES = {
    "status": lambda s: t.stats_tables(s),
    "vision": _vision,
    "initiatives": _initiatives,
    "phases": lambda s: [t.phase_table(s), t.timeline_table(s)],
    "budget": lambda s: [t.budget_table(s), t.department_budget_table(s)],
    "governance": _governance,
}


def display_path(path: str) -> str:
    """A location people recognise; a server's absolute path is cut to the file name."""
    if path.startswith("/") or PureWindowsPath(path).drive:
        return PurePosixPath(path.replace("\\", "/")).name
    return path


def assemble(structure: RoadmapStructure, sections: dict[str, Section]) -> Document:
    g = structure.guidance
    blocks: list[Block] = []
    for key in SECTION_KEYS:
        section = sections.get(key)
        text = section.text if section is not None else template_text(structure, key)
        blocks.append(Heading(level=1, text=SECTION_TITLES[key]))
        blocks += prose_blocks(text)
        blocks += TABLES.get(key, lambda s: [])(structure)
    sources = [
        SourceEntry(n=n, title=src.title or src.path or "(제목 없음)", path=display_path(src.path),
                    page=src.page, section=src.section)
        for n, src in enumerate(structure.sources, start=1)
    ]  # fmt: skip
    subtitle = f"{span(g.from_year, g.to_year)} · 비전: {structure.vision}"
    return Document(title=structure.title, subtitle=subtitle, blocks=blocks, sources=sources)
