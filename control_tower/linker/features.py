"""Per-card profiles and per-pair features: the numbers every link score and type comes from.

A profile is computed once per card per run (Kiwi terms, lexicon matches, name core), so a
pair costs a few set operations; 4,023 cards with ~100k candidate pairs stay in seconds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from control_tower.index.korean_tokenizer import BIGRAM_TAG, COMPOUND_TAG, spans_batch
from control_tower.linker.components import Lexicon, squash
from control_tower.registry.types import Passage, ProjectCard, SourceRef

# Verbs that say "this project uses / feeds / runs on that one" (dependency, not peerage).
USAGE = re.compile(
    r"사용(?!량|자|료)|이용(?!자|객|률)|활용|적재|연동|수집|저장|탑재|호출|수신|받아|등록|전제|적용|도입|제공받"
)
# Words of peerage: two projects exchanging or sharing, neither one running on the other.
PEER = re.compile(r"공유|공동|연계|전송|협의|통합 추진|겹치|중복")
_LIST_FIELDS = ("technologies", "data", "beneficiaries", "partners")


@dataclass(slots=True)
class Snippet:
    """One citable text of a card: a passage, or a field value with its source."""

    text: str
    source: SourceRef | None
    squashed: str
    terms: frozenset[str]
    comps: dict[str, str]  # component name → matched synonym (squashed)
    usage: bool
    peer: bool


@dataclass(slots=True)
class Profile:
    card: ProjectCard
    name_sq: str  # name and aliases, squashed
    core_terms: frozenset[str]  # distinctive Kiwi terms of the name
    core: frozenset[str]  # components the name itself is about
    domains: frozenset[str]
    snippets: list[Snippet]
    terms: Counter
    body: dict[str, list[int]] = field(default_factory=dict)  # component → snippet indexes

    @property
    def id(self) -> str:
        return self.card.id


def _snippets(card: ProjectCard) -> list[tuple[str, SourceRef | None]]:
    out: list[tuple[str, SourceRef | None]] = []
    for key in ("goal", "summary", *_LIST_FIELDS):
        fv = card.first(key)
        if fv is None or not fv.value:
            continue
        value = fv.value if isinstance(fv.value, str) else ", ".join(map(str, fv.value))
        out.append((value, fv.source))
    # only the project's own text: a block of another document that names the project (a
    # budget sheet listing twenty projects) says nothing about what the project is
    out.extend((p.text, p.source) for p in card.passages if p.kind == "body")
    return out


def build_profiles(cards: Sequence[ProjectCard], lexicon: Lexicon) -> list[Profile]:
    """Profiles for many cards with one Kiwi batch call over every name and snippet."""
    raw = [_snippets(c) for c in cards]
    names = [" ".join([c.name, *(c.value("aliases", []) or [])]) for c in cards]
    texts: list[str] = list(names)
    for snips in raw:
        texts.extend(t for t, _ in snips)
    spans = spans_batch(texts)
    cursor = len(cards)
    profiles: list[Profile] = []
    for i, card in enumerate(cards):
        base = {s.term for s in spans[i] if s.tag not in (COMPOUND_TAG, BIGRAM_TAG)}
        terms: Counter = Counter(s.term for s in spans[i])
        snippets: list[Snippet] = []
        body: dict[str, list[int]] = {}
        for j, (text, src) in enumerate(raw[i]):
            sp = spans[cursor + j]
            terms.update(s.term for s in sp)
            sq = squash(text)
            comps = lexicon.match_synonyms(sq)
            for comp in comps:
                body.setdefault(comp, []).append(j)
            snippets.append(
                Snippet(
                    text,
                    src,
                    sq,
                    frozenset(s.term for s in sp),
                    comps,
                    bool(USAGE.search(text)),
                    bool(PEER.search(text)),
                )
            )
        cursor += len(raw[i])
        profiles.append(
            Profile(
                card=card,
                name_sq=squash(names[i]),
                core_terms=frozenset(t for t in base if t not in lexicon.generic_words),
                core=frozenset(lexicon.match(names[i])),
                domains=lexicon.domains_of(names[i]),
                snippets=snippets,
                terms=terms,
                body=body,
            )
        )
    return profiles


def mentions(referrer: Profile, target: Profile) -> tuple[int, bool] | None:
    """Does ``referrer`` name ``target`` (its name, or most of its distinctive name terms, in
    one snippet)? Returns (snippet index, snippet has a usage verb) or None."""
    core = target.core_terms
    need = len(core) if len(core) <= 2 else max(2, int(0.75 * len(core) + 0.999))
    best: tuple[int, bool] | None = None
    for j, sn in enumerate(referrer.snippets):
        exact = len(target.name_sq) >= 6 and target.name_sq in sn.squashed
        if exact or (len(core) >= 2 and len(core & sn.terms) >= need):
            if best is None or (sn.usage and not best[1]):
                best = (j, sn.usage)
    return best


def name_similarity(a: Profile, b: Profile) -> float:
    """Dice overlap of the names' distinctive terms (1.0 = the same name)."""
    if not a.core_terms or not b.core_terms:
        return 0.0
    return 2 * len(a.core_terms & b.core_terms) / (len(a.core_terms) + len(b.core_terms))


def period_overlap(a: ProjectCard, b: ProjectCard) -> float:
    """1 when the project periods overlap, 0 when they do not, 0.5 when unknown."""
    sa, ea, sb, eb = (
        a.value("start_year"),
        a.value("end_year"),
        b.value("start_year"),
        b.value("end_year"),
    )
    if None in (sa, sb):
        return 0.5
    return 1.0 if max(sa, sb) <= min(ea or sa, eb or sb) else 0.0


def budget_ratio(a: ProjectCard, b: ProjectCard) -> float:
    x, y = a.value("budget_eok"), b.value("budget_eok")
    if not x or not y:
        return 0.5
    return float(min(x, y) / max(x, y))


def passage_of(p: Profile, j: int) -> Passage | None:
    sn = p.snippets[j]
    return None if sn.source is None else Passage(text=sn.text[:600], source=sn.source)
