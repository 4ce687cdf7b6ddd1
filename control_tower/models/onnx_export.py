"""Export a sentence-transformers folder's transformer to ``<folder>/onnx/model.onnx``.

The ONNX Runtime engine (``control_tower.onnx_encoder``) answers a query in about half the time
of torch on the 2-core target. The export runs once, in ``ct models prepare``, and is checked
against the torch path (sentence-transformers) on fixed Korean sentences before it is kept.

- Exported in float32: the folder's safetensors are fp16, but an fp16 graph gets Cast nodes and
  runs slower on CPU.
- Eager attention and a *padded* two-text trace, so the attention-mask path is in the graph and
  padded batches stay exact too.
- The bytes depend on the torch version, so the file is recorded in the folder manifest and
  not pinned in the catalog.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from control_tower.models.errors import ModelError
from control_tower.onnx_encoder import ONNX_FILE, OnnxEncoder

__all__ = ["ONNX_FILE", "MIN_COSINE", "OnnxExportReport", "export_onnx"]

MIN_COSINE = 0.9999
OPSET = 17

# Fixed check sentences: queries, passages and one text longer than 512 tokens (truncation).
_CHECK_QUERIES = [
    "query: 홍수 경보 시스템",
    "query: 부서별 AI 사업 중복 검토",
    "query: 2025년 스마트 교통 신호 예산은 얼마인가요?",
]
_CHECK_PASSAGES = [
    "passage: 포항시는 2025년 인공지능 기반 행정 혁신 계획을 수립하였다.",
    "passage: 하천 수위 예측 모델을 활용한 홍수 조기 경보 체계를 구축할 예정이다.",
    "passage: 예산 편성 지침 ～ 각 부서는 3월 31일까지 사업계획서를 제출하시기 바랍니다.",
    "passage: " + "민원 상담 챗봇 도입으로 야간과 휴일에도 24시간 응대가 가능해졌다. " * 60,
]
CHECK_TEXTS = _CHECK_QUERIES + _CHECK_PASSAGES


class OnnxExportReport(BaseModel):
    """Recorded in the folder manifest (``extra.onnx_export``)."""

    file: str = ONNX_FILE
    opset: int = OPSET
    torch: str
    onnx: str
    onnxruntime: str
    min_cosine: float
    seconds: float


def _export_error(exc: Exception) -> ModelError:
    if isinstance(exc, ModuleNotFoundError) and exc.name and exc.name.startswith("onnx"):
        return ModelError(
            "onnx_package_missing",
            f"ONNX 변환에 필요한 '{exc.name}' 패키지가 없습니다.",
            hint="`.venv/bin/pip install -c constraints.txt -e .` 로 의존성을 다시 설치하세요.",
        )
    return ModelError(
        "onnx_export_failed",
        f"임베딩 모델을 ONNX 로 변환하지 못했습니다 ({type(exc).__name__}: {exc})",
        hint="torch·onnx 패키지 버전을 확인한 뒤 `ct models prepare` 를 다시 실행하세요.",
    )


def export_onnx(folder: Path) -> OnnxExportReport:
    """Write ``folder/onnx/model.onnx`` and verify it against torch; the file only if it passed."""
    started = time.monotonic()
    try:
        import onnx
        import onnxruntime
        import torch
        from sentence_transformers import SentenceTransformer
    except ModuleNotFoundError as exc:
        raise _export_error(exc) from exc

    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a "Loading weights" bar inside ours
    out = folder / ONNX_FILE
    partial = out.with_name(out.name + ".partial")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        reference = SentenceTransformer(
            str(folder),
            device="cpu",
            local_files_only=True,
            model_kwargs={"dtype": torch.float32, "attn_implementation": "eager"},
        ).eval()
        _trace(reference, partial)
        partial.replace(out)
    except ModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - the exporter's many failure types → one error
        partial.unlink(missing_ok=True)
        raise _export_error(exc) from exc

    try:
        min_cosine = _min_cosine(reference, folder, threads=torch.get_num_threads())
    except Exception:
        out.unlink(missing_ok=True)
        raise
    if min_cosine < MIN_COSINE:
        out.unlink(missing_ok=True)
        raise ModelError(
            "onnx_export_mismatch",
            f"ONNX 로 변환한 임베딩 모델의 결과가 원래 모델과 다릅니다 "
            f"(최소 코사인 유사도 {min_cosine:.6f} < {MIN_COSINE}).",
            hint="torch·onnx·onnxruntime 패키지 버전을 확인한 뒤 `ct models prepare` 를 다시 "
            "실행하세요. 그동안은 CT_EMBEDDING_ENGINE=torch 로 쓸 수 있습니다.",
        )
    return OnnxExportReport(
        torch=torch.__version__,
        onnx=onnx.__version__,
        onnxruntime=onnxruntime.__version__,
        min_cosine=round(min_cosine, 7),
        seconds=round(time.monotonic() - started, 1),
    )


def _trace(reference, out: Path) -> None:
    import torch

    transformer = reference[0]
    hf_model = transformer.auto_model

    class _LastHidden(torch.nn.Module):
        # BertModel's own forward takes positional arguments the tracer mis-binds ("multiple
        # values for argument 'use_cache'"); a two-input wrapper gives the graph its signature.
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    batch = transformer.tokenizer(
        [_CHECK_QUERIES[0], _CHECK_PASSAGES[0]], return_tensors="pt", padding=True
    )
    dynamic = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow are expected
        torch.onnx.export(
            _LastHidden(hf_model).eval(),
            (batch["input_ids"], batch["attention_mask"]),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": dynamic,
                "attention_mask": dynamic,
                "last_hidden_state": dynamic,
            },
            opset_version=OPSET,
            dynamo=False,
        )


def _min_cosine(reference, folder: Path, *, threads: int) -> float:
    expected = reference.encode(
        CHECK_TEXTS,
        batch_size=1,  # unpadded like the ONNX engine, and no 7 x 512-token batch
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    got = OnnxEncoder(folder, threads=threads).encode(CHECK_TEXTS)
    cosines = np.sum(got * expected, axis=1) / (
        np.linalg.norm(got, axis=1) * np.linalg.norm(expected, axis=1)
    )
    return float(cosines.min())
