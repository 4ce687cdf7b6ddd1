"""Dense index: Chroma (embedded ``PersistentClient`` or a server through ``HttpClient``).

- Vectors come from our ``Embedder`` through a *registered* embedding function, so a reopened
  collection rebuilds ours and Chroma never falls back to its default ONNX model (which tries
  to download weights and fails offline). Queries always pass ``query_embeddings`` (e5 needs
  its ``query: `` prefix, which Chroma's document path would not add).
- The collection records the embedding model name and dimension; opening it with another
  model is refused (vectors of two models are not comparable).
- ``ReadScope`` and ``SearchFilters`` become one ``where`` clause, applied inside the ANN
  query, so chunks the caller may not read are never candidates. ``nearest`` is the
  unchecked query the ``Index`` facade builds its fast access-checked search on.
- Another process writing the same embedded store (``ct ingest`` while ``ct serve`` runs):
  Chroma's embedded client keeps its HNSW graph in memory and never reloads it, so this
  process keeps answering with ids the writer has deleted (and never sees new ones), and a
  filtered query over such an id fails with ``InternalError: Error finding id`` — a search
  returned 500 that way. ``refresh`` opens a new client (a new Chroma ``System``: the path
  under another spelling, since Chroma caches one per path string) that reloads the graph
  and the write log; the ``Index`` facade calls it when the shared write counter shows a
  foreign write. A query that still fails that way is retried once after a refresh, then
  answered with no dense hits (the BM25 side still answers) — never an error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from control_tower.access import ReadScope
from control_tower.domain import AccessLevel, Chunk, SearchFilters
from control_tower.index.base import ChunkIndex, ScoredChunk, has_filters
from control_tower.index.errors import IndexConfigError
from control_tower.index.metadata import chunk_from_metadata, chunk_metadata, date_int
from control_tower.settings import Settings

log = logging.getLogger(__name__)

EF_NAME = "control_tower_embedder"
_WRITE_BATCH = 512
T = TypeVar("T")


class _SharedLock:
    """Many readers at once, or one exclusive holder (the client swap in ``refresh``)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._exclusive = False

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            while self._exclusive or self._readers:
                self._cond.wait()
            self._exclusive = True
        try:
            yield
        finally:
            with self._cond:
                self._exclusive = False
                self._cond.notify_all()


def _is_vanished_id(exc: Exception) -> bool:
    """Chroma's error for an id its in-memory graph has but its stores no longer do."""
    from chromadb.errors import ChromaError

    return isinstance(exc, ChromaError) and "finding id" in str(exc).lower()


class _LazyEmbedder:
    """An ``Embedder`` stand-in that loads the model on first use (see build_from_config)."""

    def __init__(self, load: Any, config: dict[str, Any]):
        self._load = load
        self._loaded: Any = None
        self.model_name = config["model_name"]
        self.dimension = config.get("dimension")

    def _embedder(self) -> Any:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def embed_documents(self, texts):
        return self._embedder().embed_documents(texts)

    def embed_query(self, text):
        return self._embedder().embed_query(text)


@register_embedding_function
class ControlTowerEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of our ``Embedder``: passages via ``__call__``, queries via ``embed_query``."""

    def __init__(self, embedder: Any):
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's signature
        return list(self._embedder.embed_documents(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:  # noqa: A002
        return [self._embedder.embed_query(t) for t in input]

    @staticmethod
    def name() -> str:
        return EF_NAME

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"model_name": self._embedder.model_name, "dimension": self._embedder.dimension}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ControlTowerEmbeddingFunction:
        # Reached only when a collection is opened without passing our function (e.g. from a
        # Chroma shell): rebuild the same model from the current settings.
        from control_tower.embeddings import Embedder
        from control_tower.settings import get_settings

        settings = get_settings().model_copy(update={"embedding_model": config["model_name"]})
        # Chroma also calls this on every create/upsert (is_legacy(), schema deserialization),
        # so the model is only loaded if the rebuilt function is actually used.
        return ControlTowerEmbeddingFunction(_LazyEmbedder(lambda: Embedder(settings), config))

    def validate_config_update(self, old_config: dict, new_config: dict) -> None:
        if old_config.get("model_name") != new_config.get("model_name"):
            raise ValueError("the embedding model of a collection cannot change")

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        if "model_name" not in config:
            raise ValueError("model_name missing")


def make_client(settings: Settings, *, alias: int = 0):
    """``alias`` > 0 opens the embedded store through another spelling of its path, which
    Chroma takes for a different store: a fresh in-process view (see ``refresh``)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.effective_chroma_mode == "http":
        if not settings.chroma_url:
            raise IndexConfigError(
                "chroma_url_missing",
                "CT_CHROMA_MODE=http 인데 Chroma 서버 주소가 없습니다.",
                hint="CT_CHROMA_URL=http://호스트:포트 를 지정하세요.",
            )
        u = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=u.hostname or "127.0.0.1",
            port=u.port or (443 if u.scheme == "https" else 8000),
            ssl=u.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    path = str(settings.chroma_dir) + "/." * alias
    return chromadb.PersistentClient(path=path, settings=chroma_settings)


def scope_where(scope: ReadScope) -> dict | None:
    """The ``ReadScope`` rule (see control_tower.access) as a Chroma ``where`` clause."""
    if scope.everything:
        return None
    clauses: list[dict] = [{"access": {"$in": [lv.value for lv in scope.levels]}}]
    dept_level, restricted = AccessLevel.department.value, AccessLevel.restricted.value
    if scope.department is not None:
        clauses.append({"$and": [{"access": dept_level}, {"department": scope.department}]})
        clauses.append(
            {
                "$and": [
                    {"access": restricted},
                    {"allowed_departments": {"$contains": scope.department}},
                ]
            }
        )
    if scope.username is not None:
        clauses.append(
            {"$and": [{"access": restricted}, {"allowed_users": {"$contains": scope.username}}]}
        )
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def filters_where(filters: SearchFilters | None) -> list[dict]:
    if filters is None:
        return []
    out: list[dict] = []
    if filters.departments:
        out.append({"department": {"$in": list(filters.departments)}})
    if filters.doc_types:
        out.append({"doc_type": {"$in": list(filters.doc_types)}})
    if filters.date_from is not None:
        out.append({"date": {"$gte": date_int(filters.date_from)}})
    if filters.date_to is not None:
        out.append({"date": {"$lte": date_int(filters.date_to)}})
    return out


def build_where(scope: ReadScope, filters: SearchFilters | None) -> dict | None:
    parts = [w for w in [scope_where(scope), *filters_where(filters)] if w is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class ChromaChunkIndex(ChunkIndex):
    name = "dense"

    def __init__(self, settings: Settings, embedder: Any, *, client: Any = None):
        self._settings = settings
        self._embedder = embedder
        self._client = client if client is not None else make_client(settings)
        self._ef = ControlTowerEmbeddingFunction(embedder)
        self._collection = self._open_collection()
        # refresh() only for an embedded store we opened ourselves (a server is one process)
        self._refreshable = client is None and settings.effective_chroma_mode != "http"
        self._alias = 0
        self._swap = _SharedLock()
        self._refresh_lock = threading.Lock()
        self.last_refresh_seconds = 0.0

    # --- a fresh view of a store other processes write ------------------------------------
    def refresh(self) -> bool:
        """Reopen the embedded store so writes of other processes become visible (module
        doc). The new client is opened and warmed before it replaces the old one; searches
        keep running on the old one meanwhile. False when there is nothing to refresh."""
        if not self._refreshable:
            return False
        with self._refresh_lock:
            started = time.monotonic()
            alias = self._alias + 1
            client = make_client(self._settings, alias=alias)
            collection = self._open_collection(client)
            if collection.count():  # load the graph now, not in the next search
                collection.query(
                    query_embeddings=[np.zeros(int(self._embedder.dimension), np.float32)],
                    n_results=1,
                    include=[],
                )
            with self._swap.exclusive():
                old = self._client
                self._client, self._collection, self._alias = client, collection, alias
            try:
                old.close()  # Chroma stops the old System when no other client shares it
            except Exception:  # noqa: BLE001 - a failed close must not fail the search
                log.warning("closing the previous Chroma client failed", exc_info=True)
            self.last_refresh_seconds = time.monotonic() - started
            return True

    def _read(self, call: Callable[[Any], T], fallback: T) -> T:
        """Run a query on the current collection; an id that vanished under it (a foreign
        write) gets one retry on a refreshed view, then ``fallback`` — never an error."""
        for attempt in (1, 2):
            try:
                with self._swap.shared():
                    return call(self._collection)
            except Exception as exc:
                if not _is_vanished_id(exc):
                    raise
                log.warning("Chroma lost an id during a query (attempt %d): %s", attempt, exc)
                if attempt == 1:
                    self.refresh()
        return fallback

    @property
    def embedder(self) -> Any:
        return self._embedder

    def _open_collection(self, client: Any = None):
        client = client if client is not None else self._client
        name = self._settings.chroma_collection
        expected = {
            "embedding_model": self._embedder.model_name,
            "embedding_dimension": int(self._embedder.dimension),
        }
        existing = {c.name for c in client.list_collections()}
        if name not in existing:
            return client.create_collection(
                name,
                embedding_function=self._ef,
                metadata=expected,
                configuration={"hnsw": {"space": "cosine"}},
            )
        try:
            col = client.get_collection(name, embedding_function=self._ef)
        except ValueError as exc:
            raise self._mismatch(name, "알 수 없음", expected) from exc
        md = col.metadata or {}
        recorded = (md.get("embedding_model"), md.get("embedding_dimension"))
        if recorded != (expected["embedding_model"], expected["embedding_dimension"]):
            raise self._mismatch(name, f"{recorded[0]} ({recorded[1]}차원)", expected)
        return col

    def _mismatch(self, name: str, recorded: str, expected: dict) -> IndexConfigError:
        return IndexConfigError(
            "embedding_model_mismatch",
            f"색인 '{name}'은(는) 임베딩 모델 {recorded}로 만들어졌는데, 현재 설정은 "
            f"{expected['embedding_model']} ({expected['embedding_dimension']}차원)입니다. "
            "서로 다른 모델의 벡터는 섞어 쓸 수 없습니다.",
            hint="CT_EMBEDDING_MODEL 을 원래 모델로 되돌리거나, 새 데이터 폴더(CT_DATA_DIR)를 "
            "지정하고 `ct ingest` 로 문서를 다시 수집하세요.",
        )

    # --- writes --------------------------------------------------------------------------
    def upsert(self, chunks: Sequence[Chunk], embeddings: np.ndarray | None = None) -> None:
        """Insert or replace by chunk id; ``embeddings`` (one row per chunk) skips embedding."""
        if not chunks:
            return
        if embeddings is None:
            embeddings = self._embedder.embed_documents([c.text for c in chunks])
        if len(embeddings) != len(chunks):
            raise ValueError("one embedding per chunk is required")
        for start in range(0, len(chunks), _WRITE_BATCH):
            batch = chunks[start : start + _WRITE_BATCH]
            vectors = np.asarray(embeddings[start : start + _WRITE_BATCH], dtype=np.float32)
            with self._swap.shared():
                self._collection.upsert(
                    ids=[c.chunk_id for c in batch],
                    embeddings=vectors,
                    documents=[c.text for c in batch],
                    metadatas=[chunk_metadata(c) for c in batch],
                )

    def delete_document(self, doc_id: str) -> None:
        with self._swap.shared():
            self._collection.delete(where={"doc_id": doc_id})

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        ids = list(chunk_ids)
        for start in range(0, len(ids), _WRITE_BATCH):
            with self._swap.shared():
                self._collection.delete(ids=ids[start : start + _WRITE_BATCH])

    # --- reads ---------------------------------------------------------------------------
    def chunk_ids(self, doc_id: str) -> set[str]:
        with self._swap.shared():
            return set(self._collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def all_chunk_ids(self) -> set[str]:
        with self._swap.shared():
            return set(self._collection.get(include=[])["ids"])

    def search(
        self, query: str, k: int, scope: ReadScope, filters: SearchFilters | None = None
    ) -> list[ScoredChunk]:
        if k <= 0 or not query.strip():
            return []
        vector = self._embedder.embed_query(query)
        return self.search_vector(vector, k, scope, filters)

    def search_vector(
        self, vector: np.ndarray, k: int, scope: ReadScope, filters: SearchFilters | None = None
    ) -> list[ScoredChunk]:
        """Search with a precomputed query vector, scope and filters applied by Chroma.

        A scoped query is a ``where`` clause, which Chroma evaluates by scanning metadata
        (~0.6 s at 100k chunks). The hybrid retriever avoids it: ``Index.dense_search``
        over-fetches ``nearest`` and checks access in memory, and only falls back to this.
        """
        if k <= 0:
            return []
        if scope.everything and not has_filters(filters):
            return self.nearest(vector, k)
        where = build_where(scope, filters)
        res = self._read(
            lambda col: col.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=k,
                where=where,
                include=["distances"],
            ),
            None,
        )
        return [] if res is None else _scored(zip(res["ids"][0], res["distances"][0], strict=True))

    def nearest(self, vector: np.ndarray, n: int) -> list[ScoredChunk]:
        """The ``n`` nearest chunks with NO access check: callers must check every one."""
        if n <= 0:
            return []
        # No count() first (~13 ms at 100k chunks): Chroma returns fewer than n_results, or
        # none, by itself when the collection is smaller.
        res = self._read(
            lambda col: col.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=n,
                include=["distances"],
            ),
            None,
        )
        return [] if res is None else _scored(zip(res["ids"][0], res["distances"][0], strict=True))

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        if not chunk_ids:
            return []
        ids = list(dict.fromkeys(chunk_ids))
        res = self._read(
            lambda col: col.get(ids=ids, include=["documents", "metadatas"]),
            {"ids": [], "documents": [], "metadatas": []},
        )
        found = {
            cid: chunk_from_metadata(cid, doc, md)
            for cid, doc, md in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
        }
        return [found[c] for c in chunk_ids if c in found]

    def count(self) -> int:
        with self._swap.shared():
            return self._collection.count()

    def drop(self) -> None:
        """Delete the whole collection (``ct index rebuild``) and start an empty one."""
        with self._swap.exclusive():
            self._client.delete_collection(self._settings.chroma_collection)
            self._collection = self._open_collection()


def _scored(hits) -> list[ScoredChunk]:
    # cosine distance = 1 - cosine similarity; report similarity (higher is better)
    return [
        ScoredChunk(chunk_id=cid, score=1.0 - float(d), rank=i + 1)
        for i, (cid, d) in enumerate(hits)
    ]
