"""``Index``: the dense and the sparse backend written through one call.

Both backends always hold the same chunk ids with the same metadata. ``replace_document``
upserts the new chunks first and only then removes the document's stale ids, so a search
never sees a document vanish mid-update; a crash in between leaves extra (old-version) ids,
which the ingestion pipeline's repair pass removes with ``delete_document``.

Writes by other processes (``ct ingest`` next to ``ct serve``): the embedded Chroma client
never reloads its in-memory graph (see chroma_backend), so before a dense search the BM25
store's write counter — bumped by every write of every process, both backends being written
together — is compared with the writes this object made; on a foreign write the dense side
is refreshed, at most every ``DENSE_REFRESH_GAP_S`` (and twice the last refresh's duration),
in a background thread for the web app. Ids that vanish in between are skipped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from control_tower.access import ReadScope
from control_tower.domain import Chunk, SearchFilters
from control_tower.index.base import ChunkIndex, ScoredChunk, has_filters
from control_tower.index.bm25_backend import BM25ChunkIndex
from control_tower.index.chroma_backend import ChromaChunkIndex
from control_tower.index.korean_tokenizer import TermSpan

log = logging.getLogger(__name__)

# Dense candidates fetched per wanted hit before falling back to Chroma's metadata filter.
OVERFETCH_FACTOR = 4
OVERFETCH_MIN = 64
DENSE_REFRESH_GAP_S = 10.0


class Index:
    def __init__(self, dense: ChromaChunkIndex, sparse: BM25ChunkIndex):
        self.dense = dense
        self.sparse = sparse
        self._dense_seen = sparse.generation()  # writes the dense view already includes
        self._dense_refreshed_at = float("-inf")
        self._dense_refresher: threading.Thread | None = None
        self._dense_lock = threading.Lock()

    def _follow_foreign_writes(self) -> None:
        """Refresh the dense view when another process wrote (see module doc)."""
        gen = self.sparse.generation()
        with self._dense_lock:
            seen = self._dense_seen
            if gen == seen:
                return
            if not self.sparse.foreign_writes(seen, gen):
                self._dense_seen = gen  # only our own writes: the view has them
                return
            gap = max(DENSE_REFRESH_GAP_S, 2 * self.dense.last_refresh_seconds)
            if time.monotonic() - self._dense_refreshed_at < gap:
                return
            if self._dense_refresher is not None and self._dense_refresher.is_alive():
                return
            self._dense_refreshed_at = time.monotonic()
            if self.sparse._background_refresh:  # the web app: keep answering meanwhile
                self._dense_refresher = threading.Thread(
                    target=self._refresh_dense, args=(gen,), name="dense-refresh", daemon=True
                )
                self._dense_refresher.start()
                return
        self._refresh_dense(gen)

    def _refresh_dense(self, gen: int) -> None:
        try:
            self.dense.refresh()
        except Exception:  # noqa: BLE001 - the old view keeps answering; retried later
            log.exception("refreshing the dense index failed")
            return
        with self._dense_lock:
            self._dense_seen = max(self._dense_seen, gen)
            self._dense_refreshed_at = time.monotonic()

    def wait_for_dense_refresh(self, timeout: float | None = None) -> None:
        """Block until a background dense refresh has finished (tests)."""
        if self._dense_refresher is not None:
            self._dense_refresher.join(timeout)

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

    def dense_search(
        self, query: str, k: int, scope: ReadScope, filters: SearchFilters | None = None
    ) -> list[ScoredChunk]:
        """The dense top ``k`` that ``scope`` and ``filters`` allow.

        Chroma applies an access ``where`` by scanning metadata (~0.6 s at 100k chunks), and
        returning metadata with results costs ~0.2 ms per record. Most callers may read most
        chunks, so over-fetch the unfiltered nearest neighbours and check them against the
        sparse index's in-memory metadata (same chunk ids, same metadata): the top ``k``
        readable of the unfiltered list are the filtered top ``k``. Only when too few are
        readable does Chroma's own filter run.
        """
        if k <= 0 or not query.strip():
            return []
        self._follow_foreign_writes()
        vector = self.embedder.embed_query(query)
        if scope.everything and not has_filters(filters):
            return self.dense.nearest(vector, k)
        fetch = max(k * OVERFETCH_FACTOR, OVERFETCH_MIN)
        near = self.dense.nearest(vector, fetch)
        allowed = self.sparse.readable([h.chunk_id for h in near], scope, filters)
        hits = [h for h, ok in zip(near, allowed, strict=True) if ok][:k]
        if len(hits) == k or len(near) < fetch:  # k found, or the whole collection seen
            return [h.model_copy(update={"rank": i + 1}) for i, h in enumerate(hits)]
        return self.dense.search_vector(vector, k, scope, filters)

    def term_spans(self, chunk_ids: Sequence[str]) -> dict[str, list[TermSpan]]:
        """Stored highlightable term spans per chunk (chunks without them are left out)."""
        return self.sparse.term_spans(chunk_ids)

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
