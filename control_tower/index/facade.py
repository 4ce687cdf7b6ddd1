"""``Index``: the dense and the sparse backend written through one call.

Both backends always hold the same chunk ids with the same metadata. ``replace_document``
upserts the new chunks first and only then removes the document's stale ids, so a search
never sees a document vanish mid-update; a crash in between leaves extra (old-version) ids,
which the ingestion pipeline's repair pass removes with ``delete_document``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from control_tower.domain import Chunk
from control_tower.index.base import ChunkIndex
from control_tower.index.bm25_backend import BM25ChunkIndex
from control_tower.index.chroma_backend import ChromaChunkIndex


class Index:
    def __init__(self, dense: ChromaChunkIndex, sparse: BM25ChunkIndex):
        self.dense = dense
        self.sparse = sparse

    @property
    def backends(self) -> tuple[ChunkIndex, ChunkIndex]:
        return (self.dense, self.sparse)

    @property
    def embedder(self) -> Any:
        return self.dense.embedder

    def replace_document(
        self,
        doc_id: str,
        chunks: Sequence[Chunk],
        *,
        embeddings: np.ndarray | None = None,
        timings: dict[str, float] | None = None,
    ) -> None:
        """Make ``chunks`` the only chunks of ``doc_id`` in both backends.

        ``embeddings``: precomputed passage vectors (one per chunk); ``timings`` receives the
        seconds spent per backend (benchmarks).
        """
        if any(c.meta.doc_id != doc_id for c in chunks):
            raise ValueError("every chunk must belong to the document being replaced")
        keep = {c.chunk_id for c in chunks}
        for backend in self.backends:
            t = time.perf_counter()
            if chunks:
                if backend is self.dense:
                    self.dense.upsert(chunks, embeddings=embeddings)
                else:
                    backend.upsert(chunks)
            stale = backend.chunk_ids(doc_id) - keep
            if stale:
                backend.delete_chunks(sorted(stale))
            if timings is not None:
                timings[backend.name] = timings.get(backend.name, 0.0) + time.perf_counter() - t

    def delete_document(self, doc_id: str) -> None:
        for backend in self.backends:
            backend.delete_document(doc_id)

    def chunk_ids(self, doc_id: str) -> dict[str, set[str]]:
        """Chunk ids of a document per backend (equal when the index is consistent)."""
        return {b.name: b.chunk_ids(doc_id) for b in self.backends}

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        """Chunks by id in the order asked (from the local sparse store; the dense one fills
        gaps, which only exist while a write is in flight)."""
        found = {c.chunk_id: c for c in self.sparse.get(chunk_ids)}
        missing = [c for c in chunk_ids if c not in found]
        if missing:
            found.update({c.chunk_id: c for c in self.dense.get(missing)})
        return [found[c] for c in chunk_ids if c in found]

    def terms(self, chunk_id: str) -> list[str] | None:
        """The Korean index terms of one chunk, as stored at indexing time (None: unknown)."""
        return self.sparse.terms(chunk_id)

    def count(self) -> dict[str, int]:
        return {b.name: b.count() for b in self.backends}
