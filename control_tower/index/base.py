"""The seam between retrieval and storage engines.

Each backend (Chroma dense, Kiwi-BM25 sparse, …) implements ``ChunkIndex``; one
conformance suite (tests/test_index_conformance.py) runs against every implementation.
Backends apply ``ReadScope`` and ``SearchFilters`` *inside* their query, so text a caller
may not read is never scored, let alone returned.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from pydantic import BaseModel

from control_tower.access import ReadScope
from control_tower.domain import Chunk, SearchFilters


class ScoredChunk(BaseModel):
    chunk_id: str
    score: float  # backend-native; higher is better
    rank: int  # 1-based within this backend's result list


class ChunkIndex(ABC):
    name: str

    @abstractmethod
    def upsert(self, chunks: Sequence[Chunk]) -> None:
        """Insert or replace chunks by chunk_id (idempotent)."""

    @abstractmethod
    def delete_document(self, doc_id: str) -> None:
        """Remove every chunk of a document, all versions."""

    @abstractmethod
    def delete_chunks(self, chunk_ids: Sequence[str]) -> None: ...

    @abstractmethod
    def chunk_ids(self, doc_id: str) -> set[str]:
        """Chunk ids currently stored for a document."""

    @abstractmethod
    def search(
        self, query: str, k: int, scope: ReadScope, filters: SearchFilters | None = None
    ) -> list[ScoredChunk]: ...

    @abstractmethod
    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        """Chunks by id, in the order asked; missing ids are left out."""

    @abstractmethod
    def count(self) -> int: ...


def matches_filters(chunk: Chunk, filters: SearchFilters | None) -> bool:
    """SearchFilters checked on one chunk: what every backend's filter must agree with."""
    if filters is None:
        return True
    meta = chunk.meta
    # SearchFilters holds its values normalized (NFC departments, lower-case doc types).
    if filters.departments and meta.department not in filters.departments:
        return False
    if filters.doc_types and meta.doc_type not in filters.doc_types:
        return False
    if filters.date_from or filters.date_to:
        if meta.doc_date is None:
            return False
        if filters.date_from and meta.doc_date < filters.date_from:
            return False
        if filters.date_to and meta.doc_date > filters.date_to:
            return False
    return True


def has_filters(filters: SearchFilters | None) -> bool:
    return bool(
        filters
        and (filters.departments or filters.doc_types or filters.date_from or filters.date_to)
    )
