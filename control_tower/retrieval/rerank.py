"""The reranking seam: a second-stage model that reorders the fused candidates.

There is no Korean cross-encoder available here (no Hugging Face hub, none on PyPI), so the
default is ``None`` (no reranking) rather than a fake. A deployment with a GPU can plug in,
for example, a bge-reranker-v2-m3 cross-encoder by implementing ``Reranker``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from control_tower.domain import SearchHit


class Reranker(ABC):
    name: str

    @abstractmethod
    def rerank(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        """Return ``hits`` reordered (and rescored) best first; never add hits."""
