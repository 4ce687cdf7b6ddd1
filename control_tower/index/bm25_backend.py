"""Sparse index: Kiwi morphemes (``korean_tokenizer.tokenize``) scored with BM25 (bm25s).

Layout under ``<data_dir>/bm25/``:
- ``chunks.db`` (SQLite, WAL): one row per chunk — its tokens (so a rebuild never re-runs
  Kiwi) and their character spans (so snippets are highlighted without re-running Kiwi at
  query time), the filterable metadata as columns, and the whole chunk as JSON for ``get``;
  plus a ``generation`` counter bumped by every write; each row records the
  ``TOKENIZER_VERSION`` its tokens were made with (``tok_version``, NULL = version 1).
- a store whose rows hold terms of an older tokenizer version is upgraded on open: the chunk
  texts are stored, so their terms are re-analysed in batches of ``_UPGRADE_BATCH`` (one short
  write transaction each, ~400 chunks/s on 2 cores: about 4 min at 100k chunks). CLI tools do
  it before their first search; the web app (``background_refresh``) in a thread while the
  old terms keep answering. No re-embedding and no re-ingest are needed.
- the scoring matrix lives in memory and is rebuilt lazily on the first search after the
  generation changed (also when another process, e.g. ``ct ingest``, wrote), so writes stay
  cheap during incremental ingestion.

Access: ``ReadScope`` and ``SearchFilters`` become a boolean row mask; scores of rows outside
the mask are zeroed *before* top-k, and only positive scores are returned, so a chunk the
caller may not read can never appear — the same rule Chroma's ``where`` applies. The
weights are counted over the readable chunks too (``bm25_scope``): for a caller who cannot
read every chunk, word counts and the average chunk length come from the chunks they may
read, so neither the order nor the score of their results depends on hidden documents.
Filters narrow the hits but not the weights (they are the caller's own choice, not a secret).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import numpy as np

from control_tower.access import ReadScope
from control_tower.domain import AccessLevel, Chunk, SearchFilters
from control_tower.index import korean_tokenizer
from control_tower.index.base import ChunkIndex, ScoredChunk
from control_tower.index.bm25_scope import ReadableBM25
from control_tower.index.korean_tokenizer import BIGRAM_TAG, TOKENIZER_VERSION, TermSpan
from control_tower.index.metadata import date_int
from control_tower.settings import Settings

log = logging.getLogger(__name__)

# Pause between the end of one background rebuild and the start of the next: at least
# REFRESH_GAP_S, and at least REFRESH_GAP_FACTOR × the last rebuild's duration, so that during
# a long ingestion run rebuilding takes at most a third of one core (18 s at 100k chunks).
REFRESH_GAP_S = 5.0
REFRESH_GAP_FACTOR = 2.0
_SEP = "\t"  # token separator in storage; Kiwi terms never contain tabs
_NO_SPAN = "-"  # offsets entry of a bigram term (never highlighted, so not stored)
_COLUMNS = (
    "chunk_id, doc_id, access, department, doc_type, date, allowed_users, "
    "allowed_departments, tokens, chunk_json, offsets, tok_version"
)
_LEVEL_CODES = {lv: i for i, lv in enumerate(AccessLevel)}
_UPGRADE_BATCH = 500
_STALE_TERMS = "(tok_version IS NULL OR tok_version < ?)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    access TEXT NOT NULL,
    department TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    date INTEGER,
    allowed_users TEXT NOT NULL,
    allowed_departments TEXT NOT NULL,
    tokens TEXT NOT NULL,
    chunk_json TEXT NOT NULL,
    offsets TEXT,
    tok_version INTEGER
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO state(key, value) VALUES ('generation', 0);
"""


def _stored_terms(spans: Sequence[TermSpan]) -> tuple[str, str]:
    """(tokens, offsets) columns of one chunk's term spans."""
    tokens = _SEP.join(s.term for s in spans)
    offsets = " ".join(_NO_SPAN if s.tag == BIGRAM_TAG else f"{s.start}:{s.end}" for s in spans)
    return tokens, offsets


@dataclass
class _Snapshot:
    """Everything a search needs, built from one consistent read of chunks.db."""

    generation: int
    chunk_ids: list[str]
    row_of: dict[str, int]
    model: bm25s.BM25 | None
    vocab: dict[str, int]
    access: np.ndarray  # int8 level code per row
    department: np.ndarray  # int32 code per row
    doc_type: np.ndarray  # int32 code per row
    date: np.ndarray  # int32 yyyymmdd, 0 = none
    dept_codes: dict[str, int]
    type_codes: dict[str, int]
    # restricted rows readable by a user / a department (allow-lists)
    user_rows: dict[str, np.ndarray] = field(default_factory=dict)
    dept_rows: dict[str, np.ndarray] = field(default_factory=dict)
    readable_bm25: ReadableBM25 | None = None  # scores over a subset of rows (bm25_scope)

    def mask(self, scope: ReadScope, filters: SearchFilters | None) -> np.ndarray:
        """Rows inside ``scope`` and ``filters``."""
        return self.narrow(self.scope_mask(scope), filters)

    def scope_mask(self, scope: ReadScope) -> np.ndarray:
        """Rows ``scope`` may read (a new array)."""
        n = len(self.chunk_ids)
        if scope.everything:
            m = np.ones(n, dtype=bool)
        else:
            m = np.isin(self.access, [_LEVEL_CODES[lv] for lv in scope.levels])
            if scope.department is not None:
                code = self.dept_codes.get(scope.department)
                if code is not None:
                    m |= (self.access == _LEVEL_CODES[AccessLevel.department]) & (
                        self.department == code
                    )
                rows = self.dept_rows.get(scope.department)
                if rows is not None:
                    m[rows] = True
            if scope.username is not None:
                rows = self.user_rows.get(scope.username)
                if rows is not None:
                    m[rows] = True
        return m

    def narrow(self, readable: np.ndarray, filters: SearchFilters | None) -> np.ndarray:
        """``readable`` restricted to ``filters`` (``readable`` itself is left unchanged)."""
        m = readable
        if filters is not None:
            m = readable.copy()
            if filters.departments:
                codes = [self.dept_codes[d] for d in filters.departments if d in self.dept_codes]
                m &= np.isin(self.department, codes)
            if filters.doc_types:
                codes = [self.type_codes[t] for t in filters.doc_types if t in self.type_codes]
                m &= np.isin(self.doc_type, codes)
            if filters.date_from is not None:
                m &= (self.date > 0) & (self.date >= date_int(filters.date_from))
            if filters.date_to is not None:
                m &= (self.date > 0) & (self.date <= date_int(filters.date_to))
        return m


class BM25ChunkIndex(ChunkIndex):
    name = "sparse"

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        directory: Path | None = None,
        background_refresh: bool = False,
    ):
        if directory is None:
            if settings is None:
                raise ValueError("settings or directory is required")
            directory = settings.data_dir / "bm25"
        directory.mkdir(parents=True, exist_ok=True)
        self._path = directory / "chunks.db"
        self._local = threading.local()
        self._lock = threading.Lock()  # guards _snapshot rebuilds
        self._snapshot: _Snapshot | None = None
        self._background_refresh = background_refresh
        self._refresher: threading.Thread | None = None
        self._refresher_lock = threading.Lock()
        self._last_build_end = 0.0  # monotonic seconds
        self._last_build_seconds = 0.0
        # generations this object's own writes produced (the Index facade tells foreign
        # writes — another process's — from its own by them)
        self._own_generations: set[int] = set()
        with self._conn() as c:
            c.executescript(_SCHEMA)
            columns = {row[1] for row in c.execute("PRAGMA table_info(chunks)")}
            if "offsets" not in columns:  # a store written before spans were kept
                c.execute("ALTER TABLE chunks ADD COLUMN offsets TEXT")
            if "tok_version" not in columns:  # a store written before versions were kept
                c.execute("ALTER TABLE chunks ADD COLUMN tok_version INTEGER")
        self._upgrader: threading.Thread | None = None
        q = f"SELECT EXISTS (SELECT 1 FROM chunks WHERE {_STALE_TERMS})"
        if self._conn().execute(q, (TOKENIZER_VERSION,)).fetchone()[0]:
            if background_refresh:
                self._upgrader = threading.Thread(
                    target=self._upgrade_logged, name="bm25-terms-upgrade", daemon=True
                )
                self._upgrader.start()
            else:
                self.upgrade_terms()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=60000")
            self._local.conn = conn
        return conn

    def _generation(self) -> int:
        return self._conn().execute("SELECT value FROM state WHERE key='generation'").fetchone()[0]

    def generation(self) -> int:
        """The store's write counter: every write by any process adds one."""
        return self._generation()

    def foreign_writes(self, since: int, until: int) -> int:
        """How many of the writes that took the counter from ``since`` to ``until`` were not
        made through this object (another process, or another index object)."""
        own = self._own_generations
        mine = sum(1 for g in list(own) if since < g <= until)
        self._own_generations = {g for g in list(own) if g > since}
        return (until - since) - mine

    def _write(self, sql_batches: list[tuple[str, list[tuple]]]) -> None:
        c = self._conn()
        c.execute("BEGIN IMMEDIATE")
        try:
            for sql, rows in sql_batches:
                if rows:
                    c.executemany(sql, rows)
            c.execute("UPDATE state SET value = value + 1 WHERE key='generation'")
            self._own_generations.add(self._generation())
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    # --- tokenizer upgrades ----------------------------------------------------------------
    def stale_terms(self) -> int:
        """How many chunks hold terms of an older tokenizer version."""
        q = f"SELECT COUNT(*) FROM chunks WHERE {_STALE_TERMS}"
        return self._conn().execute(q, (TOKENIZER_VERSION,)).fetchone()[0]

    def upgrade_terms(self) -> int:
        """Re-analyse the stored text of every chunk with stale terms; returns how many.

        Kiwi runs outside the write transaction; the update only applies to rows that are
        still stale, so a chunk an ingest run replaced meanwhile keeps its newer terms.
        Safe to run from several processes at once (they just share the work).
        """
        done = 0
        started = time.monotonic()
        stale = self.stale_terms()
        if stale:
            log.info("BM25: re-analysing %d chunks for tokenizer v%d", stale, TOKENIZER_VERSION)
        while True:
            q = f"SELECT chunk_id, chunk_json FROM chunks WHERE {_STALE_TERMS} LIMIT ?"
            rows = self._conn().execute(q, (TOKENIZER_VERSION, _UPGRADE_BATCH)).fetchall()
            if not rows:
                break
            good: list[tuple[str, str]] = []
            unreadable: list[tuple] = []
            for cid, js in rows:
                try:
                    good.append((cid, Chunk.model_validate_json(js).text))
                except ValueError:  # no text to re-analyse: keep its terms, stop retrying
                    log.warning("BM25: chunk %s has no readable text; terms kept", cid)
                    unreadable.append((TOKENIZER_VERSION, cid))
            spans = korean_tokenizer.spans_batch([text for _, text in good])
            updates = [
                (*_stored_terms(sp), TOKENIZER_VERSION, cid, TOKENIZER_VERSION)
                for (cid, _), sp in zip(good, spans, strict=True)
            ]
            sql = (
                "UPDATE chunks SET tokens = ?, offsets = ?, tok_version = ? "
                f"WHERE chunk_id = ? AND {_STALE_TERMS}"
            )
            mark = "UPDATE chunks SET tok_version = ? WHERE chunk_id = ?"
            self._write([(sql, updates), (mark, unreadable)])
            done += len(rows)
        if done:
            log.info("BM25: terms upgraded (%d chunks, %.1f s)", done, time.monotonic() - started)
        return done

    def _upgrade_logged(self) -> None:
        try:
            self.upgrade_terms()
        except Exception:  # the old terms keep answering; the next open retries
            log.exception("BM25 terms upgrade failed")

    def wait_for_upgrade(self, timeout: float | None = None) -> None:
        """Block until a background terms upgrade has finished (tests, shutdown)."""
        if self._upgrader is not None:
            self._upgrader.join(timeout)

    # --- writes --------------------------------------------------------------------------
    def upsert(self, chunks: Sequence[Chunk]) -> None:
        if not chunks:
            return
        span_lists = korean_tokenizer.spans_batch([c.text for c in chunks])
        rows = []
        for c, spans in zip(chunks, span_lists, strict=True):
            m = c.meta
            tokens, offsets = _stored_terms(spans)
            rows.append(
                (
                    c.chunk_id,
                    m.doc_id,
                    m.access_level.value,
                    m.department,
                    m.doc_type,
                    date_int(m.doc_date),
                    json.dumps(m.allowed_users, ensure_ascii=False),
                    json.dumps(m.allowed_departments, ensure_ascii=False),
                    tokens,
                    c.model_dump_json(),
                    offsets,
                    TOKENIZER_VERSION,
                )
            )
        marks = ",".join("?" * len(rows[0]))
        self._write([(f"INSERT OR REPLACE INTO chunks ({_COLUMNS}) VALUES ({marks})", rows)])

    def delete_document(self, doc_id: str) -> None:
        self._write([("DELETE FROM chunks WHERE doc_id = ?", [(doc_id,)])])

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        if chunk_ids:
            self._write([("DELETE FROM chunks WHERE chunk_id = ?", [(c,) for c in chunk_ids])])

    def clear(self) -> None:
        self._write([("DELETE FROM chunks", [()])])

    # --- reads ---------------------------------------------------------------------------
    def chunk_ids(self, doc_id: str) -> set[str]:
        rows = self._conn().execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))
        return {r[0] for r in rows}

    def all_chunk_ids(self) -> set[str]:
        return {r[0] for r in self._conn().execute("SELECT chunk_id FROM chunks")}

    def terms(self, chunk_id: str) -> list[str] | None:
        """The terms ``tokenize(chunk.text)`` gave when the chunk was indexed."""
        row = (
            self._conn()
            .execute("SELECT tokens FROM chunks WHERE chunk_id = ?", (chunk_id,))
            .fetchone()
        )
        return None if row is None else [t for t in row[0].split(_SEP) if t]

    def readable(
        self, chunk_ids: Sequence[str], scope: ReadScope, filters: SearchFilters | None = None
    ) -> list[bool]:
        """Whether each chunk is inside ``scope`` and ``filters``, from the in-memory metadata
        (what the mask of ``search`` uses). A chunk this index does not hold is not readable.

        The dense side uses this to check its candidates: Chroma reads metadata at ~0.2 ms
        per record, which at 100k chunks was the largest cost of an access-checked search.
        """
        snap = self.snapshot()
        mask = snap.mask(scope, filters)
        rows = [snap.row_of.get(cid) for cid in chunk_ids]
        return [r is not None and bool(mask[r]) for r in rows]

    def term_spans(self, chunk_ids: Sequence[str]) -> dict[str, list[TermSpan]]:
        """Stored highlightable terms (no bigrams) with their spans in the NFC chunk text.

        Chunks indexed before spans were stored are left out (callers analyse those).
        """
        out: dict[str, list[TermSpan]] = {}
        unique = list(dict.fromkeys(chunk_ids))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            q = (
                "SELECT chunk_id, tokens, offsets FROM chunks "
                f"WHERE offsets IS NOT NULL AND chunk_id IN ({','.join('?' * len(part))})"
            )
            for cid, tokens, offsets in self._conn().execute(q, part):
                spans = []
                for term, off in zip(tokens.split(_SEP), offsets.split(" "), strict=False):
                    if off != _NO_SPAN and off:
                        a, _, z = off.partition(":")
                        spans.append(TermSpan(term, int(a), int(z), ""))
                out[cid] = spans
        return out

    def count(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        if not chunk_ids:
            return []
        found: dict[str, Chunk] = {}
        unique = list(dict.fromkeys(chunk_ids))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            q = f"SELECT chunk_id, chunk_json FROM chunks WHERE chunk_id IN ({marks})"
            for cid, js in self._conn().execute(q, part):
                found[cid] = Chunk.model_validate_json(js)
        return [found[c] for c in chunk_ids if c in found]

    def search(
        self, query: str, k: int, scope: ReadScope, filters: SearchFilters | None = None
    ) -> list[ScoredChunk]:
        if k <= 0 or not query.strip():
            return []
        snap = self.snapshot()
        if snap.model is None:
            return []
        ids = [snap.vocab[t] for t in korean_tokenizer.tokenize(query) if t in snap.vocab]
        if not ids:
            return []
        readable = snap.scope_mask(scope)
        if scope.everything or snap.readable_bm25 is None or readable.all():
            scores = snap.model.get_scores_from_ids(ids)  # the readable chunks are all chunks
        else:  # weights over the readable chunks only: see bm25_scope
            scores = snap.readable_bm25.scores(ids, readable)
        scores[~snap.narrow(readable, filters)] = 0.0
        candidates = np.flatnonzero(scores > 0)
        if candidates.size == 0:
            return []
        if candidates.size > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        # highest score first; ties broken by row (insertion order) for determinism
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        return [
            ScoredChunk(chunk_id=snap.chunk_ids[r], score=float(scores[r]), rank=i + 1)
            for i, r in enumerate(order)
        ]

    # --- the in-memory scoring snapshot --------------------------------------------------
    def snapshot(self) -> _Snapshot:
        """The current snapshot, rebuilt if any process wrote since it was built.

        With ``background_refresh`` (the web app) a stale snapshot keeps answering while a
        thread builds the new one: a rebuild takes ~20 s at 100k chunks, and during an
        ingestion run every write would otherwise stall the next search that long. Stale
        answers are safe for access control: the retriever re-checks every hit against the
        stored chunk (current metadata), and a chunk the snapshot lacks is unreadable.
        """
        gen = self._generation()
        snap = self._snapshot
        if snap is not None and snap.generation == gen:
            return snap
        if snap is not None and self._background_refresh:
            self._start_refresh()
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != self._generation():
                self._rebuild()
            return self._snapshot

    def wait_for_refresh(self, timeout: float | None = None) -> None:
        """Block until a running background rebuild has finished (tests, shutdown)."""
        refresher = self._refresher
        if refresher is not None:
            refresher.join(timeout)

    def _start_refresh(self) -> None:
        with self._refresher_lock:
            if self._refresher is not None and self._refresher.is_alive():
                return
            self._refresher = threading.Thread(
                target=self._refresh, name="bm25-refresh", daemon=True
            )
            self._refresher.start()

    def _refresh(self) -> None:
        # Leave the CPU to ingestion between rebuilds (see REFRESH_GAP_S).
        gap = max(REFRESH_GAP_S, REFRESH_GAP_FACTOR * self._last_build_seconds)
        time.sleep(max(0.0, self._last_build_end + gap - time.monotonic()))
        try:
            with self._lock:
                if self._snapshot is None or self._snapshot.generation != self._generation():
                    self._rebuild()
        except Exception:  # the old snapshot keeps serving; the next search retries
            log.exception("BM25 snapshot rebuild failed")

    def _rebuild(self) -> None:
        started = time.monotonic()
        self._snapshot = self._build()
        self._last_build_end = time.monotonic()
        self._last_build_seconds = self._last_build_end - started

    def _build(self) -> _Snapshot:
        c = self._conn()
        c.execute("BEGIN")  # one consistent read (WAL snapshot) of rows and generation
        try:
            gen = self._generation()
            rows = c.execute(
                "SELECT chunk_id, access, department, doc_type, date, allowed_users, "
                "allowed_departments, tokens FROM chunks ORDER BY rowid"
            ).fetchall()
        finally:
            c.execute("COMMIT")
        n = len(rows)
        # Term → id without a Python-level step per token (~116 tokens per chunk, 11.6M at
        # 100k chunks): a defaultdict whose factory is its own length numbers new terms, and
        # map() drives it from C. A listcomp with setdefault took half of the rebuild time.
        numbering: defaultdict[str, int] = defaultdict()
        numbering.default_factory = numbering.__len__
        term_id = numbering.__getitem__
        dept_codes: dict[str, int] = {}
        type_codes: dict[str, int] = {}
        access = np.empty(n, dtype=np.int8)
        department = np.empty(n, dtype=np.int32)
        doc_type = np.empty(n, dtype=np.int32)
        dates = np.zeros(n, dtype=np.int32)
        user_rows: dict[str, list[int]] = {}
        dept_rows: dict[str, list[int]] = {}
        corpus_ids: list[list[int]] = []
        restricted = AccessLevel.restricted.value
        chunk_ids: list[str] = []
        for i, (cid, acc, dept, dtype, d, au, ad, toks) in enumerate(rows):
            chunk_ids.append(cid)
            access[i] = _LEVEL_CODES[AccessLevel(acc)]
            department[i] = dept_codes.setdefault(dept, len(dept_codes))
            doc_type[i] = type_codes.setdefault(dtype, len(type_codes))
            dates[i] = d or 0
            if acc == restricted:
                for u in json.loads(au):
                    user_rows.setdefault(u, []).append(i)
                for dp in json.loads(ad):
                    dept_rows.setdefault(dp, []).append(i)
            corpus_ids.append(list(map(term_id, toks.split(_SEP))) if toks else [])
        vocab = dict(numbering)  # plain dict: a lookup must never add a term
        model = None
        if n and vocab:
            model = bm25s.BM25()
            model.scores = model.build_index_from_ids(
                unique_token_ids=list(range(len(vocab))),
                corpus_token_ids=corpus_ids,
                show_progress=False,
            )
            model.vocab_dict = vocab
        return _Snapshot(
            generation=gen,
            chunk_ids=chunk_ids,
            row_of={cid: i for i, cid in enumerate(chunk_ids)},
            model=model,
            vocab=vocab,
            access=access,
            department=department,
            doc_type=doc_type,
            date=dates,
            dept_codes=dept_codes,
            type_codes=type_codes,
            user_rows={u: np.asarray(r, dtype=np.int64) for u, r in user_rows.items()},
            dept_rows={d: np.asarray(r, dtype=np.int64) for d, r in dept_rows.items()},
            readable_bm25=None if model is None else ReadableBM25.of(model, corpus_ids),
        )
