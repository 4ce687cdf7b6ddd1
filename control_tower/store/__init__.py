"""Document store (SQL): documents, versions, content hashes, statuses, ingest runs, users."""

from __future__ import annotations

from control_tower.settings import Settings
from control_tower.store.ids import canonical_path, doc_id_for_path
from control_tower.store.records import DocumentRecord, DocumentVersionRecord, IngestRunRecord
from control_tower.store.store import INDEXED, PENDING, Store, users_from_dicts


def open_store(settings: Settings) -> Store:
    """The store, migrated to the newest schema; a legacy ``logs/audit.jsonl`` is imported."""
    store = Store(settings.database_url)
    _import_legacy_audit(store, settings)
    return store


def _import_legacy_audit(store: Store, settings: Settings) -> None:
    from control_tower.audit import LEGACY_AUDIT_FILE, AuditLog

    legacy = settings.logs_dir / LEGACY_AUDIT_FILE
    claimed = legacy.with_name(LEGACY_AUDIT_FILE + ".importing")
    try:
        legacy.rename(claimed)  # atomic: of two processes starting together, one imports
    except FileNotFoundError:
        return
    AuditLog(store).import_jsonl(claimed)
    claimed.rename(legacy.with_name(LEGACY_AUDIT_FILE + ".imported"))


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
