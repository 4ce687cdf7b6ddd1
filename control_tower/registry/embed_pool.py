"""Embedding many card texts at once: one embedder process per core.

The embedder runs one ONNX thread (two contended threads are far slower on these machines,
docs/BENCHMARKS.md), so a build of thousands of cards — 4,023 imported Seoul projects — used
one core of two. Above ``PARALLEL_MIN`` texts the texts are split over processes, each with
its own one-thread embedder; below it, the model is loaded once in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from control_tower.settings import Settings

PARALLEL_MIN = 400
MAX_WORKERS = 4


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _embed(args: tuple[Settings, list[str]]) -> np.ndarray:
    from control_tower.embeddings import Embedder

    settings, texts = args
    return Embedder(settings).embed_documents(texts)


def embed_passages(settings: Settings, texts: Sequence[str]) -> np.ndarray:
    """``Embedder.embed_documents(texts)``, over several processes for large batches."""
    texts = list(texts)
    workers = min(MAX_WORKERS, _cores())
    if len(texts) < PARALLEL_MIN or workers < 2:
        return _embed((settings, texts))
    parts = [texts[i::workers] for i in range(workers)]  # interleaved: similar lengths each
    context = multiprocessing.get_context("spawn")  # no forked copies of loaded models/locks
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        done = list(pool.map(_embed, [(settings, p) for p in parts]))
    out = np.empty((len(texts), done[0].shape[1]), dtype=np.float32)
    for i, vectors in enumerate(done):
        out[i::workers] = vectors
    return out
