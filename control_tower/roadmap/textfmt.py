"""Small Korean text helpers shared by the facts, the template text and the document tables.

One formatter for numbers means the fact sheet, the fallback prose and the tables print the
same ``1,250`` / ``12.5`` for the same value, which is what prose validation compares against.
Citation numbers are resolved here once: ``[n]`` is ``structure.sources[n-1]``.
"""

from __future__ import annotations

from control_tower.roadmap.types import Initiative, RoadmapStructure, SourceLink


def fmt_num(value: float) -> str:
    """``1250.0`` → ``1,250``; ``12.50`` → ``12.5`` (at most two decimals, no trailing zeros)."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def fmt_eok(value: float) -> str:
    return f"{fmt_num(value)}억원"


def span(start: int, end: int) -> str:
    return f"{start}년" if start == end else f"{start}~{end}년"


def _key(link: SourceLink) -> tuple:
    return (link.doc_id or link.path or link.title, link.page, link.section)


def source_number(structure: RoadmapStructure, link: SourceLink) -> int | None:
    """The appendix number of ``link``: same document, page and section, else same document."""
    keys = [_key(s) for s in structure.sources]
    if _key(link) in keys:
        return keys.index(_key(link)) + 1
    doc = link.doc_id or link.path or link.title
    for n, src in enumerate(structure.sources, start=1):
        if doc and (src.doc_id or src.path or src.title) == doc:
            return n
    return None


def initiative_refs(structure: RoadmapStructure, ini: Initiative) -> list[int]:
    refs = [source_number(structure, s) for s in ini.sources]
    return sorted({n for n in refs if n is not None})


def markers(refs: list[int]) -> str:
    return "".join(f"[{n}]" for n in refs)


def ordered_initiatives(structure: RoadmapStructure) -> list[Initiative]:
    """Initiatives in dependency order (``structure.order``), any left over after it."""
    seen = [structure.initiative(i) for i in structure.order]
    out = [i for i in seen if i is not None]
    return out + [i for i in structure.initiatives if i not in out]


def titles(structure: RoadmapStructure, ids: list[str]) -> list[str]:
    return [ini.title for i in ids if (ini := structure.initiative(i)) is not None]
