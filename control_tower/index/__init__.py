"""Chunk indexes: the ``ChunkIndex`` seam (``base``), Chroma dense and Kiwi-BM25 sparse
backends, and the ``Index`` facade that writes both. Open with ``open_index(settings)``."""

from __future__ import annotations

from typing import Any

from control_tower.index.base import ChunkIndex, ScoredChunk
from control_tower.index.errors import IndexConfigError
from control_tower.index.facade import Index
from control_tower.settings import Settings


def open_index(
    settings: Settings, *, embedder: Any = None, background_refresh: bool = False
) -> Index:
    """Both backends for ``settings`` (embedded or HTTP Chroma by configuration).

    ``embedder``: an already loaded ``Embedder`` to share (tests, the web app); by default
    one is loaded from the configured model. ``background_refresh``: long-running servers
    keep searching on the previous BM25 matrix while a newer one is built (see
    ``BM25ChunkIndex.snapshot``).
    """
    from control_tower.index.bm25_backend import BM25ChunkIndex
    from control_tower.index.chroma_backend import ChromaChunkIndex

    if embedder is None:
        from control_tower.embeddings import Embedder

        embedder = Embedder(settings)
    return Index(
        dense=ChromaChunkIndex(settings, embedder),
        sparse=BM25ChunkIndex(settings, background_refresh=background_refresh),
    )


__all__ = ["ChunkIndex", "Index", "IndexConfigError", "ScoredChunk", "open_index"]
