"""The caller's visible project cards, fuzzy lookup by name, and evidence for a card field.

Why here: every registry tool must see exactly what ``registry.service.list_cards`` shows the
caller (visibility applied there), and cite a field by the passage of the document it came
from — only passages the card view kept, so nothing from an unreadable document leaks.
"""

from __future__ import annotations

import re
import unicodedata

from control_tower.chat.tools.base import ToolContext
from control_tower.chat.types import Evidence
from control_tower.names import display_location
from control_tower.registry.service import list_cards
from control_tower.registry.types import ProjectCard, SourceRef
from control_tower.roadmap.textfmt import fmt_eok, fmt_num

__all__ = ["fmt_eok", "fmt_num"]


def visible(ctx: ToolContext) -> list[ProjectCard]:
    """All cards the caller may see, memoized for the turn (keyed by the principal)."""
    key = ("visible_cards", ctx.principal.username, ctx.principal.department)
    if key not in ctx.cache:
        ctx.cache[key] = list_cards(ctx.store, ctx.principal)
    return ctx.cache[key]


def doc_departments(ctx: ToolContext) -> dict[str, str]:
    """Document id → owning department, memoized for the turn (a citation's display place)."""
    key = ("doc_departments",)
    if key not in ctx.cache:
        ctx.cache[key] = {d.doc_id: d.to_meta().department for d in ctx.store.list_documents()}
    return ctx.cache[key]


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text or "")).lower()


# words nearly every project name has: matching them says nothing about which project
GENERIC = {"ai", "사업", "구축", "시스템", "기반", "도입", "계획", "추진", "서비스", "활용"}


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[0-9A-Za-z가-힣]+", unicodedata.normalize("NFC", text or "").lower())
    return {w for w in words if len(w) >= 2 and w not in GENERIC}


def match_score(card: ProjectCard, query: str) -> float:
    """1.0 for an exact (space-insensitive) name, 0.9 for a substring either way, else the
    share of the name's tokens found in the query (aliases count as names)."""
    q = norm(query)
    if not q:
        return 0.0
    best = 0.0
    for name in [card.name, *(card.value("aliases", []) or [])]:
        n = norm(str(name))
        if not n:
            continue
        if n == q:
            return 1.0
        if n in q or q in n:
            best = max(best, 0.9)
            continue
        nt, qt = _tokens(str(name)), _tokens(query)
        if nt:
            hit = sum(1 for t in nt if t in qt or any(t in w or w in t for w in qt if len(w) >= 2))
            best = max(best, 0.8 * hit / len(nt))
    return best


def find(cards: list[ProjectCard], query: str, threshold: float = 0.5) -> list[ProjectCard]:
    scored = [(match_score(c, query), c) for c in cards]
    scored = [(s, c) for s, c in scored if s >= threshold]
    scored.sort(key=lambda sc: (-sc[0], sc[1].name))
    return [c for _, c in scored]


def evidence_of(
    card: ProjectCard, source: SourceRef | None, value: object = None
) -> Evidence | None:
    """The field's source as a citable passage: the card passage of that document containing
    the value, else the one of that document nearest the value's offsets, else None."""
    if source is None:
        return None
    same = [p for p in card.passages if p.source.doc_id == source.doc_id]
    if not same:
        return None
    wanted = str(value) if value not in (None, "") else ""
    with_value = [p for p in same if wanted and wanted in p.text]
    chosen = (with_value or same)[0]
    if not with_value and source.char_start is not None:
        chosen = min(same, key=lambda p: abs((p.source.char_start or 0) - source.char_start))
    src = chosen.source
    dept = source.department or src.department
    return Evidence(
        doc_id=source.doc_id,
        version=source.version,
        title=source.title or src.title,
        department=dept,
        path=display_location(dept, source.path or src.path, source.title or src.title),
        page=src.page if src.page is not None else source.page,
        section=src.section or source.section,
        char_start=src.char_start,
        char_end=src.char_end,
        text=chosen.text[:4000],
    )


class EvidenceList:
    """Evidence in citation order, each passage once; ``add`` returns its index."""

    def __init__(self) -> None:
        self.items: list[Evidence] = []

    def add(self, ev: Evidence | None) -> list[int]:
        if ev is None:
            return []
        for i, known in enumerate(self.items):
            if known.key() == ev.key():
                return [i]
        self.items.append(ev)
        return [len(self.items) - 1]

    def field(self, card: ProjectCard, name: str) -> list[int]:
        fv = card.first(name)
        if fv is None:
            return []
        return self.add(evidence_of(card, fv.source, fv.value))


def link_passage(card: ProjectCard, quote) -> Evidence:  # noqa: ANN001 - linker Evidence or dict
    """A linker quote on ``card``'s side (a ``linker.types.Evidence`` or its dump) as a citable
    passage, titled and placed by the card's own source in that document."""
    get = quote.get if isinstance(quote, dict) else lambda k, d=None: getattr(quote, k, d)
    doc_id = get("doc_id", "")
    src = next((s for s in card.sources() if s.doc_id == doc_id), None)
    dept = (src.department if src else "") or card.lead_department or ""
    title = src.title if src else card.name
    return Evidence(
        doc_id=doc_id,
        version=get("version") or 1,
        title=title,
        department=dept,
        path=display_location(dept, get("path") or (src.path if src else ""), title),
        page=get("page"),
        section=get("section"),
        text=(get("text") or "")[:4000],
    )
