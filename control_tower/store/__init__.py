"""Document store (SQL): documents, versions, content hashes, statuses, ingest runs, users."""

from __future__ import annotations

from control_tower.settings import Settings
from control_tower.store.ids import canonical_path, doc_id_for_path
from control_tower.store.records import DocumentRecord, DocumentVersionRecord, IngestRunRecord
from control_tower.store.store import INDEXED, PENDING, Store, users_from_dicts


def open_store(settings: Settings) -> Store:
    return Store(settings.database_url)


__all__ = [
    "INDEXED",
    "PENDING",
    "DocumentRecord",
    "DocumentVersionRecord",
    "IngestRunRecord",
    "Store",
    "canonical_path",
    "doc_id_for_path",
    "open_store",
    "users_from_dicts",
]
