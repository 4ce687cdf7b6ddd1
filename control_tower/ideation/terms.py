"""Korean words the way the project compares them: Kiwi nouns (the index's tokenizer, with
its compound joins), so "교차로의", "교차로를" and "교차로" are one word, and keyword tests
("does this line talk about 신호 운영?") do not depend on particles or spacing."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from control_tower.index.korean_tokenizer import BIGRAM_TAG, COMPOUND_TAG, spans_batch
from control_tower.linker.components import squash

__all__ = ["keyword_terms", "matches_keyword", "noun_terms_batch", "squash"]

_NOUN_TAGS = {"NNG", "NNP", "SL", COMPOUND_TAG}


def noun_terms_batch(texts: Sequence[str]) -> list[list[str]]:
    """Nouns, Latin words and joined noun compounds of each text (one Kiwi batch)."""
    out = []
    for spans in spans_batch(list(texts)):
        out.append([s.term for s in spans if s.tag in _NOUN_TAGS and len(s.term) >= 2])
    return out


@lru_cache(maxsize=8192)
def keyword_terms(keyword: str) -> frozenset[str]:
    """The base nouns of a catalogue keyword (without the derived compounds/bigrams)."""
    spans = spans_batch([keyword])[0]
    base = {s.term for s in spans if s.tag in ("NNG", "NNP", "SL") and len(s.term) >= 1}
    return frozenset(base) or frozenset(
        s.term for s in spans if s.tag not in (COMPOUND_TAG, BIGRAM_TAG)
    )


def matches_keyword(keyword: str, terms: frozenset[str], squashed: str) -> bool:
    """A text mentions ``keyword`` when it has all of its nouns, or the keyword verbatim
    (spacing and punctuation aside)."""
    sq = squash(keyword)
    if sq and sq in squashed:
        return True
    kt = keyword_terms(keyword)
    return bool(kt) and kt <= terms
