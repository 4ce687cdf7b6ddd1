"""Fusion on hand-made ranked lists (no index needed)."""

from __future__ import annotations

import pytest

from control_tower.index.base import ScoredChunk
from control_tower.retrieval.fusion import FusionMethod, FusionWeights, fuse, single
from control_tower.retrieval.query_profile import AdaptivePolicy, QueryProfile, profile_query
from control_tower.retrieval.strategies import STRATEGIES, get_strategy


def ranked(*pairs: tuple[str, float]) -> list[ScoredChunk]:
    return [ScoredChunk(chunk_id=c, score=s, rank=i) for i, (c, s) in enumerate(pairs, start=1)]


DENSE = ranked(("a", 0.91), ("b", 0.90), ("c", 0.89), ("d", 0.70))
SPARSE = ranked(("c", 12.0), ("e", 11.0), ("a", 3.0))


def ids(hits) -> list[str]:
    return [h.chunk_id for h in hits]


def test_rrf_equal_weights_matches_formula():
    hits = fuse(DENSE, SPARSE, FusionMethod.rrf)
    by_id = {h.chunk_id: h for h in hits}
    assert by_id["a"].score == pytest.approx(0.5 / 61 + 0.5 / 63)
    assert by_id["c"].score == pytest.approx(0.5 / 63 + 0.5 / 61)
    assert by_id["e"].score == pytest.approx(0.5 / 62)
    # a and c tie on score; the tie goes to the better single rank, then the id.
    assert ids(hits)[:2] == ["a", "c"]
    assert by_id["c"].dense_rank == 3 and by_id["c"].sparse_rank == 1


def test_found_by_both_beats_found_by_one_in_rrf():
    hits = fuse(ranked(("x", 1.0), ("y", 0.9)), ranked(("z", 5.0), ("y", 4.0)), FusionMethod.rrf)
    assert ids(hits)[0] == "y"


def test_sparse_leaning_weights_follow_bm25_order():
    hits = fuse(DENSE, SPARSE, FusionMethod.minmax, FusionWeights(dense=0.2, sparse=0.8))
    assert ids(hits)[0] == "c"  # BM25's top, also in dense
    hits = fuse(DENSE, SPARSE, FusionMethod.minmax, FusionWeights(dense=0.95, sparse=0.05))
    assert ids(hits)[0] == "a"  # dense's top


def test_minmax_normalizes_each_list_to_unit_range():
    hits = fuse(DENSE, [], FusionMethod.minmax, FusionWeights(dense=1.0, sparse=0.0))
    scores = {h.chunk_id: h.score for h in hits}
    assert scores["a"] == pytest.approx(1.0)
    assert scores["d"] == pytest.approx(0.0)
    assert scores["b"] == pytest.approx((0.90 - 0.70) / (0.91 - 0.70))


def test_dbsf_is_robust_to_scale_and_clipped():
    # Multiplying one list's scores by a constant must not change the fused order.
    scaled = ranked(("c", 1200.0), ("e", 1100.0), ("a", 300.0))
    for method in (FusionMethod.dbsf, FusionMethod.zscore, FusionMethod.minmax):
        assert ids(fuse(DENSE, SPARSE, method)) == ids(fuse(DENSE, scaled, method))
    for h in fuse(DENSE, SPARSE, FusionMethod.dbsf, FusionWeights(1.0, 0.0)):
        assert 0.0 <= h.score <= 1.0


def test_zscore_missing_item_gets_list_floor():
    hits = fuse(DENSE, SPARSE, FusionMethod.zscore, FusionWeights(dense=0.0, sparse=1.0))
    by_id = {h.chunk_id: h.score for h in hits}
    # d, b are not in the sparse list: they get the lowest sparse z, the same as "a" (last).
    assert by_id["d"] == pytest.approx(by_id["a"])


def test_identical_scores_do_not_divide_by_zero():
    flat = ranked(("p", 1.0), ("q", 1.0))
    for method in FusionMethod:
        hits = fuse(flat, flat, method)
        assert ids(hits) == ["p", "q"]


def test_empty_inputs():
    assert fuse([], [], FusionMethod.dbsf) == []
    assert ids(fuse([], SPARSE, FusionMethod.rrf)) == ["c", "e", "a"]


def test_single_keeps_order_and_rank_side():
    hits = single(SPARSE, "sparse")
    assert ids(hits) == ["c", "e", "a"]
    assert hits[0].sparse_rank == 1 and hits[0].dense_rank is None


def test_adaptive_policy_moves_weights():
    policy = AdaptivePolicy()
    plain = QueryProfile(terms=("교통", "데이터"), identifiers=0, quoted=False, question=False)
    ident = QueryProfile(terms=("2025-121",), identifiers=1, quoted=False, question=False)
    long_q = QueryProfile(
        terms=tuple(f"t{i}" for i in range(10)), identifiers=0, quoted=False, question=True
    )
    w_plain = policy.weights(plain)
    assert w_plain.sparse > w_plain.dense  # BM25 leads by default on Korean text
    assert policy.weights(ident).sparse > w_plain.sparse
    assert policy.weights(long_q).sparse < w_plain.sparse
    assert policy.weights(plain, coverage=0.2).sparse < 0.5  # paraphrase → dense leads
    assert policy.weights(ident, coverage=0.0).sparse == policy.identifier_sparse
    for w in (w_plain, policy.weights(ident), policy.weights(long_q)):
        assert w.dense + w.sparse == pytest.approx(1.0)


def test_profile_query_detects_identifiers_quotes_questions():
    p = profile_query("공고 제2025-121호")
    assert p.identifiers >= 1 and not p.question
    assert not profile_query("AI CCTV 관제").identifiers  # Latin words are not identifiers
    assert profile_query("“드론 배송” 사업").quoted
    assert profile_query("스마트 교통 예산은 얼마인가요?").question


def test_strategy_registry():
    assert "rrf" in STRATEGIES and "adaptive_minmax" in STRATEGIES
    with pytest.raises(ValueError, match="알 수 없는 결합 방식"):
        get_strategy("nope")
