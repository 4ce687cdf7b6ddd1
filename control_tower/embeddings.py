"""`Embedder`: dense vectors for chunks and queries from a sentence-transformers model.

The default model is the prepared ``multilingual-e5-small`` folder under ``settings.models_dir``
(``ct models prepare``). Any other sentence-transformers folder or name can be configured with
``CT_EMBEDDING_MODEL``. Texts are NFC-normalized (NFD Hangul would otherwise tokenize into
jamo and lose recall) and vectors are L2-normalized, so a dot product is the cosine.

Two engines compute the same vectors (cosine >= 0.9999): ONNX Runtime on the folder's
``onnx/model.onnx`` (``control_tower.onnx_encoder``; about half the query latency, and torch is
never imported) and torch through sentence-transformers (any folder or hub model, and the only
one that honours ``embedding_dtype``). ``CT_EMBEDDING_ENGINE=auto`` picks ONNX when it can.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from control_tower.models.errors import ModelError
from control_tower.onnx_encoder import OnnxEncoder, onnx_problem
from control_tower.settings import Settings, get_settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Engine = Literal["onnx", "torch"]

# The e5 family was trained with these prefixes; without them retrieval quality drops.
E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "


def resolve_model_location(settings: Settings) -> Path | str:
    """Where the configured embedding model is: a prepared folder, a local path or a hub name."""
    configured = settings.embedding_model
    prepared = settings.models_dir / configured
    if prepared.is_dir():
        return prepared
    as_path = Path(configured).expanduser()
    if as_path.is_dir():
        return as_path.resolve()
    if not _is_hub_id(configured):
        raise ModelError(
            "embedding_model_missing",
            f"임베딩 모델 폴더를 찾을 수 없습니다: {prepared}",
            hint="`ct models prepare` 를 실행해 내장 모델을 준비하거나, "
            "CT_EMBEDDING_MODEL 에 sentence-transformers 모델 폴더 경로를 지정하세요.",
        )
    return configured  # a hub id such as "nlpai-lab/KURE-v1" (needs the HF cache or network)


def _is_hub_id(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and all(parts) and not name.startswith((".", "/", "~"))


def _prefixes_for(location: Path | str) -> tuple[str, str]:
    """(query prefix, passage prefix) for a model.

    A folder that declares ``query``/``passage`` prompts in ``config_sentence_transformers.json``
    wins; otherwise e5-family models (detected by name) get the e5 prefixes, and every other
    model none (KURE, bge-m3 and most others must not get them).
    """
    if isinstance(location, Path):
        config = location / "config_sentence_transformers.json"
        if config.is_file():
            prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts") or {}
            if "query" in prompts and "passage" in prompts:
                return prompts["query"], prompts["passage"]
    name = location.name if isinstance(location, Path) else location.rsplit("/", 1)[-1]
    tokens = name.lower().replace("_", "-").split("-")
    if "e5" in tokens:
        return E5_QUERY_PREFIX, E5_PASSAGE_PREFIX
    return "", ""


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def embedding_threads(settings: Settings) -> int:
    """Intra-op threads for the embedder (torch or ONNX Runtime).

    Default: half the usable cores. On the 2-core target the embedder shares the CPU with
    vLLM and ingestion; there, one thread answered a query in ~0.1 s while two contended
    threads (OpenMP barriers with a preempted partner) took ~2 s (docs/BENCHMARKS.md).
    """
    if settings.embedding_threads > 0:
        return settings.embedding_threads
    return max(1, usable_cores() // 2)


def choose_engine(settings: Settings, location: Path | str, *, device: str = "cpu") -> Engine:
    """The engine for ``settings.embedding_engine`` and this model location.

    ``auto``: ONNX when the folder has a usable ``onnx/model.onnx``, the device is the CPU and
    the dtype is float32 (bfloat16 exists only in torch, and an index built with it must keep
    being queried with it); torch otherwise. ``onnx``: ONNX or a clear error.
    """
    requested = settings.embedding_engine
    if requested == "torch":
        return "torch"
    if isinstance(location, Path):
        problem = onnx_problem(location)
    else:
        problem = "허브 모델 이름에는 ONNX 파일이 없습니다 (로컬 폴더가 필요합니다)"
    if requested == "onnx":
        if device != "cpu":
            problem = f"ONNX 엔진은 CPU 만 지원합니다 (device={device})"
        if problem:
            raise ModelError(
                "embedding_onnx_unavailable",
                f"ONNX 엔진(CT_EMBEDDING_ENGINE=onnx)으로 임베딩 모델을 쓸 수 없습니다: "
                f"{location} — {problem}",
                hint="내장 모델이면 `ct models prepare` 를 실행해 ONNX 파일을 만들고, 다른 "
                "모델이면 CT_EMBEDDING_ENGINE=auto 또는 torch 로 설정하세요.",
            )
        return "onnx"
    usable = problem is None and device == "cpu" and settings.embedding_dtype == "float32"
    return "onnx" if usable else "torch"


class _Encoder(Protocol):
    """What an engine does: texts (prefixes applied) → L2-normalized float32 vectors."""

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


class SentenceTransformersEncoder:
    """The torch engine: sentence-transformers on any folder or hub model, batched."""

    def __init__(self, location: Path | str, settings: Settings, *, device: str) -> None:
        self._location = location
        self._batch_size = settings.embedding_batch_size
        self._model = self._load(settings, device)
        # sentence-transformers >= 6 renamed the method; support both.
        model = self._model
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not dim:
            raise ModelError(
                "embedding_model_invalid",
                f"임베딩 차원을 알 수 없는 모델입니다: {location}",
                hint="sentence-transformers 형식(modules.json, 1_Pooling)의 폴더인지 확인하세요.",
            )
        self.dimension = int(dim)

    def _load(self, settings: Settings, device: str) -> SentenceTransformer:
        import torch
        from sentence_transformers import SentenceTransformer

        threads = embedding_threads(settings)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        local = isinstance(self._location, Path)
        try:
            return SentenceTransformer(
                str(self._location),
                device=device,
                local_files_only=local,
                model_kwargs={"dtype": getattr(torch, settings.embedding_dtype)},
            )
        except Exception as exc:  # noqa: BLE001 - any loader failure becomes one clear error
            raise ModelError(
                "embedding_model_load_failed",
                f"임베딩 모델을 불러오지 못했습니다: {self._location} "
                f"({type(exc).__name__}: {exc})",
                hint="`ct models prepare` 를 다시 실행하거나 "
                "`ct models status` 로 상태를 확인하세요.",
            ) from exc

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class Embedder:
    """Embeds passages and queries into L2-normalized float32 vectors."""

    def __init__(self, settings: Settings | None = None, *, device: str = "cpu") -> None:
        self._settings = settings or get_settings()
        self._location = resolve_model_location(self._settings)
        self._query_prefix, self._passage_prefix = _prefixes_for(self._location)
        self._engine = choose_engine(self._settings, self._location, device=device)
        self._encoder: _Encoder
        if self._engine == "onnx":
            self._encoder = OnnxEncoder(self._location, embedding_threads(self._settings))
        else:
            self._encoder = SentenceTransformersEncoder(
                self._location, self._settings, device=device
            )

    @property
    def model_name(self) -> str:
        """The configured name (recorded with the index, so a model change is detected)."""
        return self._settings.embedding_model

    @property
    def dimension(self) -> int:
        return self._encoder.dimension

    @property
    def location(self) -> str:
        return str(self._location)

    @property
    def engine(self) -> Engine:
        """``"onnx"`` (ONNX Runtime) or ``"torch"`` (sentence-transformers)."""
        return self._engine

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for passages/chunks, shape ``(len(texts), dimension)``."""
        return self._encode(texts, self._passage_prefix)

    def embed_query(self, text: str) -> np.ndarray:
        """Vector for one search query, shape ``(dimension,)``."""
        if not isinstance(text, str):
            raise TypeError("embed_query expects one string")
        return self._encode([text], self._query_prefix)[0]

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for several queries at once (evaluations), shape ``(n, dimension)``."""
        return self._encode(texts, self._query_prefix)

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("expected a sequence of strings, not one string")
        if len(texts) == 0:
            return np.empty((0, self.dimension), dtype=np.float32)
        prepared = [prefix + unicodedata.normalize("NFC", t) for t in texts]
        return self._encoder.encode(prepared)
