"""Candidate pairs: embedding neighbours, BM25 neighbours and shared lexicon components.

Scoring every pair of 4,023 cards (8 million) would be the slow part; each card's top-k from
three cheap, complementary views gives the pairs worth scoring. Embedding neighbours catch
paraphrase, BM25 catches shared rare terms (a system name), shared components catch two plans
that name the same platform in otherwise different text. Same- and cross-department pairs
are both kept: two teams of one department can propose the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
from scipy import sparse

from control_tower.linker.features import Profile

Pair = tuple[int, int]  # (i, j) with i < j, indexes into the card list
_BLOCK = 1024
# A component named by more cards than this is too common to propose pairs by itself
# (embedding and BM25 neighbours still find its strong pairs).
_MAX_SHARED_DF = 40


def _pair(i: int, j: int) -> Pair:
    return (i, j) if i < j else (j, i)


def embedding_neighbours(vectors: np.ndarray, top_k: int) -> set[Pair]:
    """Top-k cosine neighbours per card, computed in row blocks (memory ~ block × n)."""
    n = len(vectors)
    k = min(top_k, n - 1)
    out: set[Pair] = set()
    if k <= 0:
        return out
    x = np.asarray(vectors, dtype=np.float32)
    for start in range(0, n, _BLOCK):
        sims = x[start : start + _BLOCK] @ x.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -np.inf
        idx = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for r, cols in enumerate(idx):
            out.update(_pair(start + r, int(c)) for c in cols)
    return out


def bm25_neighbours(token_lists: Sequence[list[str]], top_k: int) -> set[Pair]:
    """Top-k BM25 neighbours per card, the card's own terms as the query (bm25s)."""
    import bm25s

    n = len(token_lists)
    out: set[Pair] = set()
    if n < 2:
        return out
    retriever = bm25s.BM25()
    retriever.index([t or ["_"] for t in token_lists], show_progress=False)
    k = min(top_k + 1, n)
    queries = [sorted(set(t)) or ["_"] for t in token_lists]
    docs, scores = retriever.retrieve(queries, k=k, show_progress=False)
    for i in range(n):
        for j, s in zip(docs[i], scores[i], strict=True):
            if s > 0 and int(j) != i:
                out.add(_pair(i, int(j)))
    return out


def shared_component_pairs(profiles: Sequence[Profile]) -> set[Pair]:
    """Pairs of cards whose texts name the same (not too common) lexicon component."""
    holders: dict[str, list[int]] = {}
    for i, p in enumerate(profiles):
        for comp in p.body.keys() | p.core:
            holders.setdefault(comp, []).append(i)
    out: set[Pair] = set()
    for members in holders.values():
        if 2 <= len(members) <= _MAX_SHARED_DF:
            out.update(combinations(members, 2))
    return out


def tfidf_matrix(profiles: Sequence[Profile]) -> sparse.csr_matrix:
    """L2-normalized sublinear TF-IDF rows over Kiwi terms (the symmetric lexical feature)."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, p in enumerate(profiles):
        for term, tf in p.terms.items():
            rows.append(i)
            cols.append(vocab.setdefault(term, len(vocab)))
            vals.append(1.0 + np.log(tf))
    n = len(profiles)
    m = sparse.csr_matrix((vals, (rows, cols)), shape=(n, max(1, len(vocab))), dtype=np.float64)
    df = np.bincount(m.indices, minlength=m.shape[1])
    m = m @ sparse.diags(np.log((1 + n) / (1 + df)) + 1.0)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ m)


def pair_cosines(m: sparse.csr_matrix, pairs: Sequence[Pair]) -> np.ndarray:
    if not pairs:
        return np.zeros(0)
    i = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    j = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    return np.asarray(m[i].multiply(m[j]).sum(axis=1)).ravel()
