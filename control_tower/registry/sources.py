"""The documents the registry is built from: every indexed document version, read back as the
parsed structure ingestion saved (``control_tower/store/parsed.py``).

A data folder indexed before parsed copies existed has none: such a document is re-parsed
from its file in the sandbox when the file is still there with the same content, and the
copy is saved; otherwise it is reported (re-ingest it) rather than silently left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from control_tower.domain import ParsedDocument
from control_tower.registry.types import SourceRef
from control_tower.settings import Settings
from control_tower.store import INDEXED, DocumentRecord
from control_tower.store.parsed import parsed_copies

NO_COPY = (
    "원문 구조 사본이 없고 원본 파일도 바뀌었거나 없어 사업 정보를 읽지 못했습니다. "
    "문서를 다시 수집하세요."
)


@dataclass(frozen=True)
class SourceDocument:
    record: DocumentRecord
    base: SourceRef
    parsed: ParsedDocument


def base_ref(rec: DocumentRecord) -> SourceRef:
    return SourceRef(
        doc_id=rec.doc_id,
        version=max(rec.version, 1),
        path=rec.source_path,
        title=rec.title,
        department=rec.department,
        # undated documents count from the day they were added: "newest first" needs a date
        doc_date=rec.doc_date or rec.created_at.date(),
    )


class SourceReader:
    def __init__(self, settings: Settings, store) -> None:  # noqa: ANN001
        self.settings = settings
        self.store = store
        self.copies = parsed_copies(settings.data_dir)
        self.problems: list[dict] = []
        self._pool = None

    def records(self) -> list[DocumentRecord]:
        return self.store.list_documents(status=INDEXED)

    def read(self, rec: DocumentRecord) -> SourceDocument | None:
        version = max(rec.version, 1)
        parsed = self.copies.load(rec.doc_id, version) or self._reparse(rec, version)
        if parsed is None:
            self.problems.append({"doc_id": rec.doc_id, "title": rec.title, "message": NO_COPY})
            return None
        return SourceDocument(rec, base_ref(rec), parsed)

    def all(self) -> Iterator[SourceDocument]:
        for rec in self.records():
            doc = self.read(rec)
            if doc is not None:
                yield doc

    def _reparse(self, rec: DocumentRecord, version: int) -> ParsedDocument | None:
        from ingest.errors import IngestError
        from ingest.hashing import sha256_file
        from ingest.sandbox import SandboxPool

        path = Path(rec.source_path)
        try:
            if not path.is_file() or sha256_file(path) != rec.content_hash:
                return None
            if self._pool is None:
                self._pool = SandboxPool.from_settings(self.settings).__enter__()
            parsed = self._pool.parse(path)
        except (OSError, IngestError):
            return None
        self.copies.save(rec.doc_id, version, parsed)
        return parsed

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
