"""Documents that name a project attach to its card.

A meeting note deciding "도시데이터 허브는 통합 데이터 플랫폼과 통합", a progress report, the
budget office's consultation paper: none of them is *about* one project, so extraction makes
no card of them, but each is evidence about the projects it names. Every block that contains
a card's core name (or an alias's) becomes a cited passage of that card. A core name shorter
than ``MIN_CORE`` characters is too generic to match on ("AI 챗봇").

Documents also name projects by a short form next to the department: "민원상담
챗봇(디지털융합산업과)", "배터리산업과: 자동평가센터 시비 부담분". A block that names a card's
lead department *and* two of the card's distinctive name words (or one of at least
``LONG_WORD`` characters) — words no other card of that department has, not generic ones
(데이터, 플랫폼, 시스템 …) and not part of the department's own name — attaches too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from control_tower.domain import BlockKind, ParsedDocument
from control_tower.registry.project_names import GENERIC_WORDS, core_key, squash, tokens
from control_tower.registry.rules.doc import DocBlock, DocView
from control_tower.registry.types import Passage, ProjectCard, SourceRef

MIN_CORE = 5
LONG_WORD = 5
MAX_PASSAGES_PER_DOC = 2
PASSAGE_CHARS = 400


@dataclass(frozen=True)
class DocumentText:
    base: SourceRef
    parsed: ParsedDocument


def _keys(card: ProjectCard) -> list[str]:
    names = [card.name, *(card.value("aliases", []) or [])]
    keys = {core_key(n) for n in names if n}
    return sorted(k for k in keys if len(k) >= MIN_CORE)


def _distinctive(cards: Sequence[ProjectCard]) -> dict[str, tuple[str, list[str]]]:
    """card id → (squashed lead department, the card's words unique in its department)."""
    words: dict[str, dict[str, set[str]]] = {}
    for card in cards:
        names = [card.name, *(card.value("aliases", []) or [])]
        dept = squash(card.lead_department or "")
        mine = {
            w
            for n in names
            for w in tokens(n)
            if len(w) >= 2 and w not in GENERIC_WORDS and w not in dept
        }
        words.setdefault(card.lead_department or "", {})[card.id] = mine
    out: dict[str, tuple[str, list[str]]] = {}
    for dept, by_card in words.items():
        for card_id, mine in by_card.items():
            others = set().union(*(w for cid, w in by_card.items() if cid != card_id))
            out[card_id] = (squash(dept), sorted(mine - others))
    return out


def _names_it(flat: str, keys: list[str], dept_words: tuple[str, list[str]]) -> bool:
    if any(k in flat for k in keys):
        return True
    dept, words = dept_words
    if not dept or dept not in flat:
        return False
    rest = flat.replace(dept, " ")
    found = [w for w in words if w in rest]
    return len(found) >= 2 or any(len(w) >= LONG_WORD for w in found)


def attach(cards: Sequence[ProjectCard], documents: Iterable[DocumentText]) -> None:
    """Add, in place, a passage to every card for each document block that names it
    (documents already among the card's sources are skipped)."""
    distinctive = _distinctive(cards)
    keyed = [
        (card, _keys(card), {s.doc_id for s in card.sources()}, distinctive[card.id])
        for card in cards
    ]
    for doc in documents:
        view = DocView(doc.parsed, doc.base)
        blocks = [(b, squash(b.text)) for b in view.blocks if b.kind != BlockKind.heading]
        for card, keys, own, dept_words in keyed:
            if doc.base.doc_id in own:
                continue
            found = 0
            for block, flat in blocks:
                if found >= MAX_PASSAGES_PER_DOC:
                    break
                if _names_it(flat, keys, dept_words):
                    card.passages.append(_passage(view, block))
                    found += 1


def _passage(view: DocView, block: DocBlock) -> Passage:
    text = " ".join(block.text.split())[:PASSAGE_CHARS]
    return Passage(text=text, source=view.ref(block, block.start, block.end), kind="mention")
