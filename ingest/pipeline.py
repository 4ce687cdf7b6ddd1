"""The ingestion pipeline: files → detect → parse (sandboxed) → chunk → embed → both indexes,
with every file's state recorded in the document store.

Guarantees:
- **Idempotent**: a file whose content hash and metadata are unchanged is ``unchanged`` and
  costs one hash. Chunk ids are ``doc_id:version:ordinal``, so repeating a write is an upsert.
- **Crash-safe** (kill -9 at any point): before any index write the document is committed as
  ``pending``; it becomes ``indexed`` only after both indexes hold exactly the new chunks. A
  run starts by repairing ``pending`` documents (their chunks are removed from both indexes
  and they are marked ``failed``/``interrupted``), so re-running the same command converges to
  no duplicates and nothing missing.
- **One run at a time** per data dir (``ingest.lock``); a second run waits.
- **Nothing half-indexed**: a skipped/failed file has no chunks. When a previously indexed file
  becomes unreadable, its old chunks are removed as well (the index must reflect what the
  file says now, and a newly DRM-protected file may have been protected on purpose); the
  result's message says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from control_tower.domain import (
    AccessLevel,
    DocumentMeta,
    DocumentStatus,
    IngestFileResult,
    IngestReport,
    nfc,
)
from control_tower.settings import Settings
from control_tower.store import INDEXED, PENDING, DocumentRecord, Store, canonical_path
from control_tower.store.ids import doc_id_for_path
from control_tower.store.parsed import parsed_copies
from ingest.chunking import chunk_document
from ingest.detect import detect_format
from ingest.discover import FoundFile, IngestArgumentError, discover
from ingest.errors import IngestError
from ingest.hashing import sha256_file
from ingest.lock import ingest_lock
from ingest.manifest import ManifestEntry, manifests_for
from ingest.normalize import clean_title
from ingest.sandbox import SandboxPool

DEFAULT_DEPARTMENT = "미지정"
STAGES = ("detect", "parse", "chunk", "embed", "index_dense", "index_sparse")

INTERRUPTED_CODE = "interrupted"
INTERRUPTED_MESSAGE = (
    "이전 수집 작업이 중단되어 이 문서의 색인을 비웠습니다. 다시 수집하면 복구됩니다."
)
REMOVED_OLD_NOTE = " 이전에 색인된 내용은 검색되지 않도록 삭제했습니다."

ProgressFn = Callable[[int, int, str], None]


@dataclass
class IngestStats:
    """Per-stage wall time and volume, for benchmarks (``evals/bench_ingest.py``)."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    files_parsed: int = 0
    chunks: int = 0
    chars: int = 0
    bytes_read: int = 0

    def add(self, stage: str, dt: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + dt


@dataclass(frozen=True)
class Defaults:
    """Metadata from the command line / upload form, used where no manifest entry says more."""

    department: str | None = None
    access: AccessLevel | None = None
    allowed_users: tuple[str, ...] = ()
    allowed_departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Wanted:
    """The metadata a file should be indexed with (before parsing fills the title)."""

    title: str | None
    department: str
    access: AccessLevel
    allowed_users: list[str]
    allowed_departments: list[str]
    doc_date: date | None
    extra: dict


def ingest_paths(
    paths: Sequence[str],
    settings: Settings,
    *,
    department: str | None = None,
    access: AccessLevel | str | None = None,
    allowed_users: Sequence[str] = (),
    allowed_departments: Sequence[str] = (),
    sync: bool = False,
    progress: ProgressFn | None = None,
    on_lock_wait: Callable[[], None] | None = None,
    lock_timeout_s: float | None = None,
    store: Store | None = None,
    index: Any = None,
    stats: IngestStats | None = None,
) -> IngestReport:
    """Ingest files and folders; see the module docstring for the guarantees.

    ``paths`` are reported back as given (files under a folder argument as
    ``<folder as given>/<relative path>``). Raises ``IngestArgumentError`` (Korean
    ``message_ko``) for missing paths; per-file problems never raise — they become
    ``skipped``/``failed`` results with a code and a Korean message.
    """
    if access is not None and not isinstance(access, AccessLevel):
        try:
            access = AccessLevel(access)
        except ValueError:
            raise IngestArgumentError(
                "bad_access",
                f"알 수 없는 공개 범위입니다: '{access}' "
                "(public, internal, department, restricted 중 하나)",
            ) from None
    defaults = Defaults(
        department=nfc(department) if department else None,
        access=access,
        allowed_users=tuple(nfc(u) for u in allowed_users),
        allowed_departments=tuple(nfc(d) for d in allowed_departments),
    )
    found, folders = discover(list(paths))
    manifest: dict[str, ManifestEntry] = {}
    for p in paths:
        manifest.update(manifests_for(Path(p).expanduser()))

    if store is None:
        from control_tower.store import open_store

        store = open_store(settings)
    if index is None:
        from control_tower.index import open_index

        index = open_index(settings)
    stats = stats if stats is not None else IngestStats()

    with ingest_lock(settings.data_dir, timeout_s=lock_timeout_s, on_wait=on_lock_wait):
        store.mark_stale_runs_interrupted()
        repair_pending(store, index)
        run_id = store.start_run([str(p) for p in paths])
        results: list[IngestFileResult] = []
        seen: set[str] = set()
        total = len(found)
        if progress:
            progress(0, total, "")
        try:
            with SandboxPool.from_settings(settings) as pool:
                runner = _Runner(settings, store, index, pool, defaults, manifest, run_id, stats)
                for i, f in enumerate(found):
                    canon = canonical_path(f.path)
                    if canon in seen:  # the same file reached through two arguments
                        continue
                    seen.add(canon)
                    results.append(runner.ingest_one(f, canon))
                    if progress:
                        progress(i + 1, total, f.shown)
            removed = _sync_removed(store, index, folders, seen, settings) if sync else []
        except BaseException:
            store.finish_run(run_id, counts=_counts(results), state="failed")
            raise
        report = IngestReport.from_files(results, run_id=run_id, removed=removed)
        store.finish_run(run_id, counts=report.counts | {"removed": len(removed)})
        return report


def repair_pending(store: Store, index: Any) -> list[str]:
    """Documents a killed run left ``pending``: empty them in both indexes, mark interrupted.

    Their files are re-indexed by the next run that covers them (status is not ``indexed``,
    so they are never taken as unchanged).
    """
    repaired = []
    for doc in store.list_documents(status=PENDING):
        index.delete_document(doc.doc_id)
        store.set_status(doc.doc_id, "failed", reason=INTERRUPTED_CODE, message=INTERRUPTED_MESSAGE)
        repaired.append(doc.doc_id)
    return repaired


def _sync_removed(
    store: Store, index: Any, folders: list[Path], seen: set[str], settings: Settings
) -> list[str]:
    removed: list[str] = []
    for folder in folders:
        for doc in store.documents_under(canonical_path(folder)):
            if doc.source_path in seen or Path(doc.source_path).exists():
                continue
            # pending first: a crash between the two deletes is repaired, never half-removed
            store.set_status(doc.doc_id, PENDING, reason="removed", message="원본 파일 삭제됨")
            index.delete_document(doc.doc_id)
            store.delete_document(doc.doc_id)
            parsed_copies(settings.data_dir).delete(doc.doc_id)
            removed.append(doc.doc_id)
    return removed


def _counts(results: list[IngestFileResult]) -> dict[str, int]:
    return IngestReport.from_files(results).counts


class _Runner:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        index: Any,
        pool: SandboxPool,
        defaults: Defaults,
        manifest: dict[str, ManifestEntry],
        run_id: str,
        stats: IngestStats,
    ):
        self.settings = settings
        self.store = store
        self.index = index
        self.pool = pool
        self.zip_limits = pool.zip_limits
        self.defaults = defaults
        self.manifest = manifest
        self.run_id = run_id
        self.stats = stats

    def _wanted(self, canon: str, existing: DocumentRecord | None) -> _Wanted:
        """Manifest entry > command-line/upload defaults > what the store had > defaults."""
        e = self.manifest.get(canon)
        d = self.defaults
        department = (
            (e and e.department)
            or d.department
            or (existing.department if existing else None)
            or DEFAULT_DEPARTMENT
        )
        access = (
            (e and e.access)
            or d.access
            or (existing.access_level if existing else None)
            or AccessLevel.internal
        )
        if e is not None and (e.allowed_users or e.allowed_departments):
            au, ad = list(e.allowed_users), list(e.allowed_departments)
        elif d.allowed_users or d.allowed_departments:
            au, ad = list(d.allowed_users), list(d.allowed_departments)
        elif existing is not None:
            au, ad = list(existing.allowed_users), list(existing.allowed_departments)
        else:
            au, ad = [], []
        return _Wanted(
            title=(clean_title(e.title) or None) if e else None,
            department=department,
            access=AccessLevel(access),
            allowed_users=au,
            allowed_departments=ad,
            doc_date=(e.date if e else None) or (existing.doc_date if existing else None),
            extra=e.extra_fields() if e else (dict(existing.extra) if existing else {}),
        )

    def ingest_one(self, f: FoundFile, canon: str) -> IngestFileResult:
        doc_id = doc_id_for_path(canon)
        existing = self.store.get_document(doc_id)
        wanted = self._wanted(canon, existing)
        try:
            size = f.path.stat().st_size
            if size > self.settings.max_file_mb * 1024 * 1024:
                raise IngestError(
                    "too_large",
                    f"파일이 허용된 최대 크기({self.settings.max_file_mb} MB)를 넘습니다 "
                    f"({size / 1048576:.1f} MB).",
                )
            content_hash = sha256_file(f.path)
            self.stats.bytes_read += size
        except OSError as exc:
            return self._unindexable(
                f,
                canon,
                doc_id,
                existing,
                wanted,
                None,
                IngestError("unreadable", f"파일을 읽을 수 없습니다: {exc.strerror}", "failed"),
            )
        except IngestError as err:
            return self._unindexable(f, canon, doc_id, existing, wanted, None, err)

        if existing is not None and _unchanged(existing, content_hash, wanted):
            return IngestFileResult(
                path=f.shown,
                status=DocumentStatus.unchanged,
                chunks=existing.chunk_count,
                doc_id=doc_id,
            )
        # Same content as the last attempt keeps its version (so re-runs upsert the same ids);
        # new content gets the next version.
        if existing is None:
            version = 1
        elif existing.content_hash == content_hash and existing.version > 0:
            version = existing.version
        else:
            version = existing.version + 1

        try:
            doc_type, parsed, chunks, meta = self._parse_and_chunk(
                f, canon, doc_id, version, content_hash, wanted
            )
        except IngestError as err:
            return self._unindexable(f, canon, doc_id, existing, wanted, content_hash, err)
        except Exception as exc:  # noqa: BLE001 - a parser/chunker bug must not stop the run
            err = IngestError(
                "internal_error",
                f"문서 처리 중 예기치 못한 오류가 발생했습니다({type(exc).__name__}).",
                "failed",
                detail=str(exc),
            )
            return self._unindexable(f, canon, doc_id, existing, wanted, content_hash, err)

        t = time.perf_counter()
        embeddings = self.index.embedder.embed_documents([c.text for c in chunks])
        self.stats.add("embed", time.perf_counter() - t)

        self.store.begin_document(meta, extra=wanted.extra)
        # the registry reads the document's structure from this copy (control_tower/store/parsed.py)
        parsed_copies(self.settings.data_dir).save(doc_id, version, parsed)
        timings: dict[str, float] = {}
        self.index.replace_document(doc_id, chunks, embeddings=embeddings, timings=timings)
        self.stats.add("index_dense", timings.get("dense", 0.0))
        self.stats.add("index_sparse", timings.get("sparse", 0.0))
        self.store.mark_indexed(doc_id, chunk_count=len(chunks), run_id=self.run_id)
        self.stats.chunks += len(chunks)
        self.stats.chars += sum(len(c.text) for c in chunks)

        was_indexed = existing is not None and existing.indexed_at is not None
        return IngestFileResult(
            path=f.shown,
            status=DocumentStatus.updated if was_indexed else DocumentStatus.indexed,
            chunks=len(chunks),
            doc_id=doc_id,
        )

    def _parse_and_chunk(self, f, canon, doc_id, version, content_hash, wanted):
        t = time.perf_counter()
        # in this process too: cheap (reads the header), gives the format for the metadata
        detected = detect_format(f.path, zip_limits=self.zip_limits)
        self.stats.add("detect", time.perf_counter() - t)

        t = time.perf_counter()
        # the worker detects, parses and normalizes under the time and memory limits
        parsed = self.pool.parse(f.path)
        self.stats.add("parse", time.perf_counter() - t)
        self.stats.files_parsed += 1

        meta = DocumentMeta(
            doc_id=doc_id,
            version=version,
            title=_title(wanted.title, parsed.title, f.path.stem),
            department=wanted.department,
            access_level=wanted.access,
            allowed_users=wanted.allowed_users,
            allowed_departments=wanted.allowed_departments,
            source_path=canon,
            doc_type=detected.format,
            doc_date=wanted.doc_date,
            content_hash=content_hash,
        )
        t = time.perf_counter()
        chunks = chunk_document(
            parsed,
            meta,
            size=self.settings.chunk_size,
            overlap=self.settings.chunk_overlap,
            max_chunks=self.settings.max_chunks_per_document,
        )
        self.stats.add("chunk", time.perf_counter() - t)
        if not chunks:
            raise IngestError("empty")
        return detected.format, parsed, chunks, meta

    def _unindexable(
        self,
        f: FoundFile,
        canon: str,
        doc_id: str,
        existing: DocumentRecord | None,
        wanted: _Wanted,
        content_hash: str | None,
        err: IngestError,
    ) -> IngestFileResult:
        message = err.message_ko
        had_chunks = existing is not None and existing.status in (INDEXED, PENDING)
        if had_chunks:
            # pending first, so a crash between the index delete and the status write is
            # repaired instead of leaving "indexed" with no chunks
            self.store.set_status(doc_id, PENDING, reason=err.code, message=message)
            self.index.delete_document(doc_id)
            parsed_copies(self.settings.data_dir).delete(doc_id)
            message += REMOVED_OLD_NOTE
        meta = DocumentMeta(
            doc_id=doc_id,
            version=existing.version if existing else 0,
            title=_title(wanted.title, existing.title if existing else None, f.path.stem),
            department=wanted.department,
            access_level=wanted.access,
            allowed_users=wanted.allowed_users,
            allowed_departments=wanted.allowed_departments,
            source_path=canon,
            doc_type=(existing.doc_type if existing and existing.doc_type else "unknown"),
            doc_date=wanted.doc_date,
            content_hash=content_hash or "",
        )
        self.store.mark_unindexable(
            meta, status=err.status, reason=err.code, message=message, extra=wanted.extra
        )
        return IngestFileResult(
            path=f.shown,
            status=DocumentStatus(err.status),
            reason=err.code,
            message=message,
            chunks=0,
            doc_id=doc_id,
        )


def _title(*candidates: str | None) -> str:
    """The first candidate with visible text, cleaned (no zero-width or bidi controls)."""
    for candidate in candidates:
        title = clean_title(candidate)
        if title:
            return title
    return "제목 없음"


def _unchanged(existing: DocumentRecord, content_hash: str, wanted: _Wanted) -> bool:
    return (
        existing.status == INDEXED
        and existing.content_hash == content_hash
        and existing.department == wanted.department
        and existing.access_level == wanted.access
        and sorted(existing.allowed_users) == sorted(wanted.allowed_users)
        and sorted(existing.allowed_departments) == sorted(wanted.allowed_departments)
        and existing.doc_date == wanted.doc_date
        and (wanted.title is None or existing.title == wanted.title)
    )
