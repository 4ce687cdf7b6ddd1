"""Hybrid retrieval: fusion of dense and sparse results, access control inside, snippets."""

from control_tower.retrieval.fusion import FusedHit, FusionMethod, FusionWeights, fuse
from control_tower.retrieval.rerank import Reranker
from control_tower.retrieval.retriever import (
    SEARCH_MODES,
    Candidates,
    QueryError,
    Retriever,
    SearchMode,
    doc_id_of,
)
from control_tower.retrieval.strategies import STRATEGIES, FusionStrategy, get_strategy

__all__ = [
    "SEARCH_MODES",
    "STRATEGIES",
    "Candidates",
    "FusedHit",
    "FusionMethod",
    "FusionStrategy",
    "FusionWeights",
    "QueryError",
    "Reranker",
    "Retriever",
    "SearchMode",
    "doc_id_of",
    "fuse",
    "get_strategy",
]
