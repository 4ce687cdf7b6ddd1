"""Card embeddings for the linker's neighbour search, cached by text digest.

Embedding is the slow part of linking (4,023 Seoul cards ≈ a minute on 2 cores); a rebuild
after a few documents change re-embeds only the cards whose text changed. The cache is one
``.npz`` under ``<data>/registry/`` (digest → vector), rewritten atomically.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from control_tower.registry.types import ProjectCard

MAX_TEXT = 700  # characters: the e5 window is ~890 Korean characters; names and goals lead


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / "vectors.npz"

    def _load(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.path) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError):
            return {}

    def _save(self, vectors: dict[str, np.ndarray]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(fd)
        try:
            np.savez(tmp, **vectors)
            os.replace(tmp, self.path)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def vectors(
        self, cards: Sequence[ProjectCard], embed: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        """One L2-normalized vector per card, in order; embeds only uncached texts."""
        texts = [card.text()[:MAX_TEXT] for card in cards]
        keys = [_digest(t) for t in texts]
        cached = self._load()
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in cached}.items()
        )
        if missing:
            fresh = embed([t for _, t in missing])
            for (k, _), vec in zip(missing, fresh, strict=True):
                cached[k] = np.asarray(vec, dtype=np.float32)
        keep = {k: cached[k] for k in set(keys)}
        if missing or len(keep) != len(cached):
            self._save(keep)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        matrix = np.stack([keep[k] for k in keys]).astype(np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.maximum(norms, 1e-12)
