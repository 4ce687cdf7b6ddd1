"""How a chunk's metadata is stored in the index backends, and the filter vocabulary.

Both backends keep the same flat metadata per chunk, so the same ``ReadScope`` and
``SearchFilters`` select exactly the same chunks in each:

- ``access``: the access level value; ``department``; ``doc_type``; ``doc_id``; ``version``;
- ``date``: ``doc_date`` as an int ``yyyymmdd`` (absent when the document has no date, so any
  date filter excludes it);
- ``allowed_users`` / ``allowed_departments``: non-empty string arrays (absent when empty;
  Chroma rejects empty arrays) tested with ``$contains``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from control_tower.domain import AccessLevel, Chunk, DocumentMeta

# Chunk position fields that travel as metadata so ``get`` can rebuild the Chunk.
_POSITION_FIELDS = ("page", "section", "paragraph_index", "sheet", "row")


def date_int(d: date | None) -> int | None:
    return d.year * 10000 + d.month * 100 + d.day if d is not None else None


def int_date(v: int | None) -> date | None:
    if not v:
        return None
    return date(v // 10000, (v // 100) % 100, v % 100)


def chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    m = chunk.meta
    md: dict[str, Any] = {
        "doc_id": m.doc_id,
        "version": m.version,
        "ordinal": chunk.ordinal,
        "title": m.title,
        "department": m.department,
        "access": m.access_level.value,
        "doc_type": m.doc_type,
        "source_path": m.source_path,
        "content_hash": m.content_hash,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
    }
    d = date_int(m.doc_date)
    if d is not None:
        md["date"] = d
    if m.allowed_users:
        md["allowed_users"] = list(m.allowed_users)
    if m.allowed_departments:
        md["allowed_departments"] = list(m.allowed_departments)
    for f in _POSITION_FIELDS:
        v = getattr(chunk, f)
        if v is not None:
            md[f] = v
    return md


def chunk_from_metadata(chunk_id: str, text: str, md: dict[str, Any]) -> Chunk:
    meta = DocumentMeta(
        doc_id=md["doc_id"],
        version=int(md["version"]),
        title=md["title"],
        department=md["department"],
        access_level=AccessLevel(md["access"]),
        allowed_users=list(md.get("allowed_users") or []),
        allowed_departments=list(md.get("allowed_departments") or []),
        source_path=md["source_path"],
        doc_type=md["doc_type"],
        doc_date=int_date(md.get("date")),
        content_hash=md["content_hash"],
    )
    return Chunk(
        chunk_id=chunk_id,
        ordinal=int(md["ordinal"]),
        text=text,
        meta=meta,
        char_start=int(md["char_start"]),
        char_end=int(md["char_end"]),
        **{f: md.get(f) for f in _POSITION_FIELDS},
    )
