"""What kind of query this is, and how much to trust each retriever for it.

Measured on these machines (docs/RETRIEVAL.md): Kiwi-BM25 is the stronger retriever on
Korean government text, e5-small dense wins only on paraphrases — queries whose words do
not occur in the relevant text. So the sparse list leads by default, and the weights move:
- identifiers (notice numbers "2025-121", codes, URLs, numbers) or quoted phrases → sparse:
  the embedding model cannot tell "2025-121" from "2025-112";
- long natural-language questions → somewhat more dense;
- low lexical coverage (the best BM25 hit contains few of the query's terms, i.e. BM25 is
  matching on fragments) → more dense; that is the paraphrase signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from control_tower.index.korean_tokenizer import BIGRAM_TAG, COMPOUND_TAG, TermSpan, term_spans
from control_tower.retrieval.fusion import FusionWeights

_QUOTED = re.compile(r"[\"“”「『'‘][^\"“”」』'’]{2,}[\"“”」』'’]")
_QUESTION_WORDS = ("무엇", "어떻", "어떤", "왜", "언제", "어디", "누구", "얼마", "몇", "어느")
_IDENT_TAGS = ("W_", "SN", "SL")


@dataclass(frozen=True, slots=True)
class QueryProfile:
    terms: tuple[str, ...]  # morpheme terms (no derived compounds or bigrams), deduplicated
    identifiers: int  # W_* / numbers / Latin codes
    quoted: bool
    question: bool

    @property
    def length(self) -> int:
        return len(self.terms)


def profile_query(query: str, spans: list[TermSpan] | None = None) -> QueryProfile:
    spans = term_spans(query) if spans is None else spans
    terms = tuple(dict.fromkeys(s.term for s in spans if s.tag not in (COMPOUND_TAG, BIGRAM_TAG)))
    identifiers = sum(
        1
        for s in spans
        if s.tag.startswith(_IDENT_TAGS) and (not s.tag == "SL" or any(c.isdigit() for c in s.term))
    )
    # SL without digits (e.g. "AI", "CCTV") is an ordinary word, not an identifier.
    question = query.rstrip().endswith("?") or any(w in query for w in _QUESTION_WORDS)
    return QueryProfile(
        terms=terms,
        identifiers=identifiers,
        quoted=bool(_QUOTED.search(query)),
        question=question,
    )


def lexical_coverage(profile: QueryProfile, text_terms: set[str]) -> float:
    """Share of the query's morpheme terms that occur in a text (1.0 when the query has none)."""
    if not profile.terms:
        return 1.0
    return sum(1 for t in profile.terms if t in text_terms) / len(profile.terms)


@dataclass(frozen=True, slots=True)
class AdaptivePolicy:
    """How weights move. The numbers are tuned on the query sets in docs/RETRIEVAL.md."""

    base_sparse: float = 0.65
    identifier_sparse: float = 0.9
    long_question_shift: float = 0.1  # toward dense, for long natural-language questions
    long_question_terms: int = 8
    low_coverage: float = 0.5  # below this BM25 coverage the query is treated as a paraphrase
    low_coverage_sparse: float = 0.35

    def weights(self, profile: QueryProfile, coverage: float | None = None) -> FusionWeights:
        if profile.identifiers or profile.quoted:
            sparse = self.identifier_sparse
        else:
            sparse = self.base_sparse
            if profile.question and profile.length >= self.long_question_terms:
                sparse -= self.long_question_shift
            if coverage is not None and coverage < self.low_coverage:
                sparse = min(sparse, self.low_coverage_sparse)
        return FusionWeights(dense=1.0 - sparse, sparse=sparse)
