"""One load of each embedding model per test session.

The suite builds dozens of apps, indexes and retrievers, and each would load the e5 model
again (~1 GB resident each): over the whole suite that grew one pytest process past 21 GB and
got it killed on a 24 GB machine. This plugin makes every ``Embedder`` of the session share
the already loaded encoder for the same model folder and engine settings. It is the same real
model (no fake): only the repeated loads are removed. Production is unaffected — the app loads
one embedder per process anyway.
"""

from __future__ import annotations

import threading

import pytest


@pytest.fixture(scope="session", autouse=True)
def _one_model_load_per_session():
    from control_tower import embeddings

    patch = pytest.MonkeyPatch()
    cache: dict[tuple, object] = {}
    lock = threading.Lock()
    real_onnx, real_torch = embeddings.OnnxEncoder, embeddings.SentenceTransformersEncoder

    def shared(key: tuple, load):  # noqa: ANN001, ANN202
        with lock:
            if key not in cache:
                cache[key] = load()
            return cache[key]

    def onnx(location, threads):  # noqa: ANN001, ANN202
        return shared(("onnx", str(location), threads), lambda: real_onnx(location, threads))

    def torch(location, settings, *, device):  # noqa: ANN001, ANN202
        key = ("torch", str(location), device, settings.embedding_dtype,
               settings.embedding_batch_size)  # fmt: skip
        return shared(key, lambda: real_torch(location, settings, device=device))

    patch.setattr(embeddings, "OnnxEncoder", onnx)
    patch.setattr(embeddings, "SentenceTransformersEncoder", torch)
    yield
    patch.undo()
