"""`OnnxEncoder`: sentence embeddings from a folder's exported transformer with ONNX Runtime.

The folder is a sentence-transformers folder that also holds ``onnx/model.onnx`` (written by
``ct models prepare``, see ``control_tower.models.onnx_export``). Tokenization uses the folder's
``tokenizer.json`` with sentence-transformers' truncation (``max_seq_length``); pooling follows
``1_Pooling/config.json`` (mean or CLS); vectors are L2-normalized. Neither torch nor
sentence-transformers is imported: on the 2-core target this answers a query in about half the
time of the torch path and keeps the process lighter (docs/BENCHMARKS.md).

Texts are encoded one per ``run``: without padding, ORT on CPU was faster one text at a time
(32 passages: 3.5 s) than in length-sorted batches of 8 (6.8 s) or torch batched (8.7 s).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel

from control_tower.models.errors import ModelError

# Where `ct models prepare` puts the exported transformer inside the model folder.
ONNX_FILE = "onnx/model.onnx"

Pooling = Literal["mean", "cls"]
# sentence-transformers pooling flags this engine reproduces; any other flag set → torch only.
_POOLING_FLAGS: dict[str, Pooling] = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
}
_SUPPORTED_MODULES = {"Transformer", "Pooling", "Normalize"}


class OnnxUnsupported(Exception):
    """The folder cannot be encoded by this engine; ``str(exc)`` is the Korean reason."""


class OnnxLayout(BaseModel):
    """What the engine needs to know about a sentence-transformers folder."""

    model: Path
    tokenizer: Path
    pooling: Pooling
    max_seq_length: int
    dimension: int


def _read_json(path: Path) -> dict | list:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise OnnxUnsupported(f"{path.name} 를 읽지 못했습니다 ({exc})") from exc


def onnx_layout(folder: Path) -> OnnxLayout:
    """The folder's ONNX layout; raises `OnnxUnsupported` when this engine cannot reproduce it."""
    model = folder / ONNX_FILE
    if not model.is_file():
        raise OnnxUnsupported(f"ONNX 파일({ONNX_FILE})이 없습니다")
    tokenizer = folder / "tokenizer.json"
    if not tokenizer.is_file():
        raise OnnxUnsupported("tokenizer.json 이 없습니다")
    if not (folder / "modules.json").is_file():
        raise OnnxUnsupported("sentence-transformers 모듈 정보(modules.json)가 없습니다")

    modules = _read_json(folder / "modules.json")
    kinds = {str(m.get("type", "")).rsplit(".", 1)[-1]: m for m in modules}
    if not set(kinds) <= _SUPPORTED_MODULES or "Pooling" not in kinds:
        raise OnnxUnsupported(f"지원하지 않는 모듈 구성입니다: {sorted(kinds)}")
    if kinds.get("Transformer", {}).get("path", "") != "":
        raise OnnxUnsupported("Transformer 모듈이 폴더 최상위에 있지 않습니다")

    pooling_config = _read_json(folder / kinds["Pooling"]["path"] / "config.json")
    flags = {k for k, v in pooling_config.items() if k.startswith("pooling_mode_") and v is True}
    if len(flags) != 1 or next(iter(flags)) not in _POOLING_FLAGS:
        raise OnnxUnsupported(f"지원하지 않는 풀링 방식입니다: {sorted(flags)}")
    if pooling_config.get("include_prompt", True) is not True:
        raise OnnxUnsupported("include_prompt=false 풀링은 지원하지 않습니다")

    st_config = _read_json(folder / "sentence_bert_config.json")
    if st_config.get("do_lower_case"):
        raise OnnxUnsupported("do_lower_case=true 모델은 지원하지 않습니다")
    max_seq_length = st_config.get("max_seq_length")
    if not isinstance(max_seq_length, int) or max_seq_length <= 0:
        raise OnnxUnsupported("sentence_bert_config.json 에 max_seq_length 가 없습니다")
    return OnnxLayout(
        model=model,
        tokenizer=tokenizer,
        pooling=_POOLING_FLAGS[next(iter(flags))],
        max_seq_length=max_seq_length,
        dimension=int(pooling_config["word_embedding_dimension"]),
    )


def onnx_problem(folder: Path) -> str | None:
    """Why the ONNX engine cannot encode with ``folder`` (Korean), or None when it can."""
    try:
        onnx_layout(folder)
    except OnnxUnsupported as exc:
        return str(exc)
    return None


class OnnxEncoder:
    """Encodes texts (prefixes already applied) into L2-normalized float32 vectors."""

    def __init__(self, folder: Path, threads: int) -> None:
        # Imported here: the CLI and the model catalog read this module's constants and checks
        # without paying for loading ONNX Runtime.
        import onnxruntime as ort
        from tokenizers import Tokenizer

        try:
            layout = onnx_layout(folder)
        except OnnxUnsupported as exc:
            raise ModelError(
                "embedding_onnx_unavailable",
                f"ONNX 엔진으로 임베딩 모델을 쓸 수 없습니다: {folder} — {exc}",
                hint="`ct models prepare` 로 모델을 다시 준비하거나 CT_EMBEDDING_ENGINE=torch 로 "
                "설정하세요.",
            ) from exc
        self._pooling = layout.pooling
        self._tokenizer = Tokenizer.from_file(str(layout.tokenizer))
        self._tokenizer.no_padding()
        # Same cut as sentence-transformers: the prefix counts, special tokens are kept.
        self._tokenizer.enable_truncation(max_length=layout.max_seq_length)

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        if threads > 1:  # threads that spin-wait for a preempted partner stall on a shared CPU
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initializers are noise here
        try:
            self._session = ort.InferenceSession(
                str(layout.model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # noqa: BLE001 - any loader failure becomes one clear error
            raise ModelError(
                "embedding_model_load_failed",
                f"ONNX 임베딩 모델을 불러오지 못했습니다: {layout.model} "
                f"({type(exc).__name__}: {exc})",
                hint="`ct models prepare` 를 다시 실행하거나 CT_EMBEDDING_ENGINE=torch 로 "
                "설정하세요.",
            ) from exc
        inputs = {i.name for i in self._session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= inputs:
            raise ModelError(
                "embedding_onnx_invalid",
                f"ONNX 모델의 입력이 예상과 다릅니다: {sorted(inputs)}",
                hint="`ct models prepare` 로 ONNX 파일을 다시 만드세요.",
            )
        # Exports from other tools (e.g. Hugging Face repositories) also take token types.
        self._token_types = "token_type_ids" in inputs
        output = self._session.get_outputs()[0]
        self._output = output.name
        width = output.shape[-1] if output.shape else None
        self._dimension = width if isinstance(width, int) else layout.dimension

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of shape ``(len(texts), dimension)``, one ONNX Runtime call per text."""
        vectors = np.empty((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            encoding = self._tokenizer.encode(text)
            ids = np.asarray([encoding.ids], dtype=np.int64)
            mask = np.asarray([encoding.attention_mask], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if self._token_types:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run([self._output], feeds)[0][0]  # (tokens, dimension)
            vectors[row] = self._pool(hidden, mask[0])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)  # the eps of torch.nn.functional.normalize

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self._pooling == "cls":
            return hidden[0]
        weights = mask.astype(np.float32)[:, None]
        return (hidden * weights).sum(axis=0) / max(float(weights.sum()), 1e-9)
