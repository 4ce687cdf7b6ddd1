"""Named fusion strategies: a fusion method plus how its weights are chosen.

The default (``Settings.retrieval_fusion``) is picked from measurements on every query set;
docs/RETRIEVAL.md has the table and the reasoning. The other strategies stay selectable so
the evaluation (``ct eval retrieval --fusion all``) can keep comparing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from control_tower.retrieval.fusion import FusionMethod, FusionWeights
from control_tower.retrieval.query_profile import AdaptivePolicy, QueryProfile


@dataclass(frozen=True, slots=True)
class FusionStrategy:
    name: str
    method: FusionMethod
    weights: FusionWeights = FusionWeights()
    adaptive: AdaptivePolicy | None = None  # when set, weights come from the query
    description: str = field(default="", compare=False)

    def weights_for(self, profile: QueryProfile, coverage: float | None) -> FusionWeights:
        if self.adaptive is None:
            return self.weights
        return self.adaptive.weights(profile, coverage)

    @property
    def needs_coverage(self) -> bool:
        return self.adaptive is not None


_BM25_LEANING = FusionWeights(dense=0.3, sparse=0.7)

STRATEGIES: dict[str, FusionStrategy] = {
    s.name: s
    for s in (
        FusionStrategy("rrf", FusionMethod.rrf, description="equal-weight RRF (k=60)"),
        FusionStrategy(
            "rrf_sparse", FusionMethod.rrf, _BM25_LEANING, description="RRF, BM25 0.7 / dense 0.3"
        ),
        FusionStrategy("minmax", FusionMethod.minmax, description="min-max scores, equal weights"),
        FusionStrategy(
            "minmax_sparse", FusionMethod.minmax, _BM25_LEANING, description="min-max, 0.7/0.3"
        ),
        FusionStrategy("zscore", FusionMethod.zscore, description="z-scores, equal weights"),
        FusionStrategy("dbsf", FusionMethod.dbsf, description="mean±3σ scores, equal weights"),
        FusionStrategy(
            "dbsf_sparse", FusionMethod.dbsf, _BM25_LEANING, description="mean±3σ, 0.7/0.3"
        ),
        FusionStrategy(
            "adaptive_minmax",
            FusionMethod.minmax,
            adaptive=AdaptivePolicy(),
            description="min-max, query-adaptive weights",
        ),
        FusionStrategy(
            "adaptive_dbsf",
            FusionMethod.dbsf,
            adaptive=AdaptivePolicy(),
            description="mean±3σ, query-adaptive weights",
        ),
        FusionStrategy(
            "adaptive_rrf",
            FusionMethod.rrf,
            adaptive=AdaptivePolicy(),
            description="RRF, query-adaptive weights",
        ),
    )
}


def get_strategy(name: str) -> FusionStrategy:
    try:
        return STRATEGIES[name]
    except KeyError:
        known = ", ".join(STRATEGIES)
        raise ValueError(f"알 수 없는 결합 방식입니다: '{name}'. 사용 가능: {known}") from None
