"""Stable document ids: one per resolved source path, so re-ingesting a file finds its row."""

from __future__ import annotations

import hashlib
from pathlib import Path

from control_tower.domain import nfc


def canonical_path(path: str | Path) -> str:
    """Absolute, symlink-resolved, NFC path string (macOS-made NFD names must match too)."""
    return nfc(str(Path(path).expanduser().resolve()))


def doc_id_for_path(path: str | Path) -> str:
    return hashlib.sha256(canonical_path(path).encode("utf-8")).hexdigest()[:20]
