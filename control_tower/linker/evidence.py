"""Evidence for a link: on each side the one cited text that best shows the shared thing.

The classifier already knows, for 선후 and name mentions, which snippet said "uses …" — that
one is cited. Otherwise the snippet naming the most shared components wins, ties broken by
term overlap with the other card, then by order (deterministic).
"""

from __future__ import annotations

from control_tower.linker.features import Profile
from control_tower.linker.types import Evidence


def _best(p: Profile, other: Profile, shared: list[str]) -> int | None:
    other_terms = other.terms.keys()
    best, best_key = None, None
    for j, sn in enumerate(p.snippets):
        if sn.source is None or len(sn.text) < 8:
            continue
        hits = sum(1 for c in shared if c in sn.comps)
        first = 1 if shared and shared[0] in sn.comps else 0
        overlap = len(sn.terms & other_terms) / (len(sn.terms) + 5)
        key = (first, hits, sn.usage and hits > 0, overlap)
        if best_key is None or key > best_key:
            best, best_key = j, key
    return best


def cite(p: Profile, other: Profile, shared: list[str], hint: int | None) -> Evidence | None:
    j = hint if hint is not None and p.snippets[hint].source is not None else None
    if j is None:
        j = _best(p, other, shared)
    if j is None:
        return None
    sn = p.snippets[j]
    src = sn.source
    return Evidence(
        card=p.id,
        doc_id=src.doc_id,
        version=src.version,
        path=src.path,
        page=src.page,
        section=src.section,
        text=sn.text[:600],
    )


def used_docs(*profiles: Profile) -> list[str]:
    """Every document id whose content the features read: all sources of both cards."""
    return sorted({s.doc_id for p in profiles for s in p.card.sources()})
