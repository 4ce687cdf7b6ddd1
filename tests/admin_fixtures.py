"""Small helpers shared by the admin, audit-page and dashboard tests."""

from __future__ import annotations

from control_tower.domain import AccessLevel, DocumentMeta


def add_document(store, doc_id: str, department: str, *, title: str | None = None) -> None:  # noqa: ANN001
    """A document row as ingestion leaves it (no index entries): for per-department counts."""
    meta = DocumentMeta(
        doc_id=doc_id,
        title=title or f"{doc_id} 제목",
        department=department,
        access_level=AccessLevel.department,
        source_path=f"/corpus/{doc_id}.txt",
        doc_type="txt",
        content_hash=f"hash-{doc_id}",
    )
    store.begin_document(meta)
    store.mark_indexed(doc_id, chunk_count=1, run_id=None)
