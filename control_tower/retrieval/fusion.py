"""Rank fusion of a dense and a sparse result list. Pure functions on ranked lists.

Methods (see docs/RETRIEVAL.md for the measurements behind the default):
- ``rrf``    — reciprocal rank fusion, ``w / (k + rank)``; ignores scores entirely.
- ``minmax`` — each list's scores scaled to [0, 1] by its own min and max, weighted sum.
- ``zscore`` — each list standardized by its own mean and standard deviation.
- ``dbsf``   — distribution-based score fusion: scale by ``mean ± 3σ`` and clip to [0, 1]
  (robust to one outlier stretching min-max).
A chunk missing from one list contributes that list's floor (0 after normalization; for
``zscore`` the list's lowest observed value), so being found by both retrievers always helps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from control_tower.index.base import ScoredChunk


class FusionMethod(StrEnum):
    rrf = "rrf"
    minmax = "minmax"
    zscore = "zscore"
    dbsf = "dbsf"


@dataclass(frozen=True, slots=True)
class FusionWeights:
    dense: float = 0.5
    sparse: float = 0.5


@dataclass(slots=True)
class FusedHit:
    chunk_id: str
    score: float
    dense_rank: int | None = None
    sparse_rank: int | None = None
    dense_score: float | None = None
    sparse_score: float | None = None


RRF_K = 60


def _normalize(scores: Sequence[float], method: FusionMethod) -> tuple[list[float], float]:
    """Normalized scores and the value a missing item gets."""
    if not scores:
        return [], 0.0
    if method is FusionMethod.minmax:
        lo, hi = min(scores), max(scores)
        if hi - lo < 1e-12:
            return [1.0] * len(scores), 0.0
        return [(s - lo) / (hi - lo) for s in scores], 0.0
    mean = sum(scores) / len(scores)
    std = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
    if std < 1e-12:
        return [1.0] * len(scores), 0.0
    if method is FusionMethod.zscore:
        z = [(s - mean) / std for s in scores]
        return z, min(z)
    if method is FusionMethod.dbsf:
        lo, hi = mean - 3 * std, mean + 3 * std
        return [min(1.0, max(0.0, (s - lo) / (hi - lo))) for s in scores], 0.0
    raise ValueError(f"not a score-normalizing method: {method}")


def fuse(
    dense: Sequence[ScoredChunk],
    sparse: Sequence[ScoredChunk],
    method: FusionMethod = FusionMethod.rrf,
    weights: FusionWeights = FusionWeights(),
    rrf_k: int = RRF_K,
) -> list[FusedHit]:
    """Fuse two ranked lists (each best-first) into one, best first.

    Ties are broken by the better of the two ranks, then by chunk id, so results are stable.
    """
    hits: dict[str, FusedHit] = {}
    for items, side in ((dense, "dense"), (sparse, "sparse")):
        for pos, item in enumerate(items, start=1):
            hit = hits.setdefault(item.chunk_id, FusedHit(item.chunk_id, 0.0))
            # Backends number ranks from 1; fall back to position for hand-built lists.
            rank = item.rank or pos
            if side == "dense":
                hit.dense_rank, hit.dense_score = rank, item.score
            else:
                hit.sparse_rank, hit.sparse_score = rank, item.score

    if method is FusionMethod.rrf:
        for hit in hits.values():
            if hit.dense_rank is not None:
                hit.score += weights.dense / (rrf_k + hit.dense_rank)
            if hit.sparse_rank is not None:
                hit.score += weights.sparse / (rrf_k + hit.sparse_rank)
    else:
        for items, weight in ((dense, weights.dense), (sparse, weights.sparse)):
            normalized, floor = _normalize([i.score for i in items], method)
            by_id = {i.chunk_id: n for i, n in zip(items, normalized, strict=True)}
            for hit in hits.values():
                hit.score += weight * by_id.get(hit.chunk_id, floor)

    def best_rank(h: FusedHit) -> int:
        return min(r for r in (h.dense_rank, h.sparse_rank) if r is not None)

    return sorted(hits.values(), key=lambda h: (-h.score, best_rank(h), h.chunk_id))


def single(items: Sequence[ScoredChunk], side: str) -> list[FusedHit]:
    """One retriever's list in the fused shape (for ``mode="dense"`` / ``"sparse"``)."""
    out = []
    for pos, item in enumerate(items, start=1):
        rank = item.rank or pos
        hit = FusedHit(item.chunk_id, item.score)
        if side == "dense":
            hit.dense_rank, hit.dense_score = rank, item.score
        else:
            hit.sparse_rank, hit.sparse_score = rank, item.score
        out.append(hit)
    return out
