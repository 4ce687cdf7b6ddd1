"""Embedding many card texts at once: one embedder on every core.

The search embedder runs one ONNX thread (it shares the CPU with vLLM, and contended
spinning threads were far slower, docs/BENCHMARKS.md). A build of thousands of cards —
4,023 imported Seoul projects — would then use one core of two. Above ``ALL_CORES_MIN``
texts the build loads its own embedder with one thread per core, spin-waiting off
(``onnx_encoder``), so a busy partner core costs a wait, not a stall. One process, not a
process per core: each process holds its own ~1 GB copy of the model, which put the
Seoul build over 2 GB; the two are equally fast here (1,000 texts: 16 s vs 20 s).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from control_tower.settings import Settings

ALL_CORES_MIN = 400


def embed_passages(settings: Settings, texts: Sequence[str]) -> np.ndarray:
    """``Embedder.embed_documents(texts)``; all cores for large batches."""
    from control_tower.embeddings import Embedder, usable_cores

    texts = list(texts)
    if len(texts) >= ALL_CORES_MIN and settings.embedding_threads == 0:
        settings = settings.model_copy(update={"embedding_threads": usable_cores()})
    return Embedder(settings).embed_documents(texts)
