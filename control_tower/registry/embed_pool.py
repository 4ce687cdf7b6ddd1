"""Embedding many card texts at once: one embedder on every core.

The search embedder runs one ONNX thread (it shares the CPU with vLLM, and contended
spinning threads were far slower, docs/BENCHMARKS.md). A build of thousands of cards —
4,023 imported Seoul projects — would then use one core of two. Above ``PARALLEL_MIN``
texts the build loads its own embedder with one thread per core, spin-waiting off
(``onnx_encoder``), so a busy partner core costs a wait, not a stall. One process, not a
process per core: each process holds its own ~1 GB copy of the model, which put the
Seoul build over 2 GB; the two are equally fast here (1,000 texts: 16 s vs 20 s).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from control_tower.settings import Settings

PARALLEL_MIN = 400


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def embed_passages(settings: Settings, texts: Sequence[str]) -> np.ndarray:
    """``Embedder.embed_documents(texts)``; all cores for large batches."""
    from control_tower.embeddings import Embedder

    texts = list(texts)
    if len(texts) >= PARALLEL_MIN and settings.embedding_threads == 0:
        settings = settings.model_copy(update={"embedding_threads": _cores()})
    return Embedder(settings).embed_documents(texts)
