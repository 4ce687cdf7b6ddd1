"""Baseline for the linker: character-bigram TF-IDF cosine over card texts, every pair ranked.

It has no notion of type or direction; the evaluation scores it on ranking only (and, for
type accuracy, as if it called every pair 연계).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def rank_pairs(ids: Sequence[str], texts: Sequence[str]) -> list[tuple[str, str, float]]:
    """All pairs (a, b, cosine), best first; ties by ids (deterministic)."""
    if len(ids) < 2:
        return []
    m = TfidfVectorizer(analyzer="char", ngram_range=(2, 2)).fit_transform(texts)
    sims = (m @ m.T).toarray()
    i, j = np.triu_indices(len(ids), k=1)
    pairs = [(ids[a], ids[b], float(sims[a, b])) for a, b in zip(i, j, strict=True)]
    pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
    return pairs
