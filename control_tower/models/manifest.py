"""The marker written last into every prepared model folder.

A folder counts as prepared only when ``.ct-manifest.json`` exists and every file it lists is
present with the recorded size (quick check) — and, on request, the recorded sha256 (deep
check). The manifest is written after the folder was renamed into place, so a crash at any
earlier point leaves no manifest and the next run rebuilds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from control_tower.models.catalog import FilePin
from control_tower.models.fetch import sha256_file

MANIFEST_NAME = ".ct-manifest.json"


class Manifest(BaseModel):
    key: str
    title: str
    sources: list[str] = Field(description="pinned PyPI requirements the folder was built from")
    files: dict[str, FilePin]
    prepared_at: str
    prepare_seconds: float
    extra: dict = Field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files.values())


def hash_folder(folder: Path) -> dict[str, FilePin]:
    files: dict[str, FilePin] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel == MANIFEST_NAME:
            continue
        files[rel] = FilePin(size=path.stat().st_size, sha256=sha256_file(path))
    return files


def write_manifest(
    folder: Path,
    *,
    key: str,
    title: str,
    sources: list[str],
    seconds: float,
    files: dict[str, FilePin] | None = None,
    extra: dict | None = None,
) -> Manifest:
    manifest = Manifest(
        key=key,
        title=title,
        sources=sources,
        files=files if files is not None else hash_folder(folder),
        prepared_at=datetime.now(UTC).isoformat(timespec="seconds"),
        prepare_seconds=round(seconds, 1),
        extra=extra or {},
    )
    tmp = folder / (MANIFEST_NAME + ".tmp")
    tmp.write_text(manifest.model_dump_json(indent=2), "utf-8")
    tmp.replace(folder / MANIFEST_NAME)
    return manifest


def read_manifest(folder: Path) -> Manifest | None:
    try:
        return Manifest.model_validate(json.loads((folder / MANIFEST_NAME).read_text("utf-8")))
    except (OSError, ValueError):
        return None


def check_folder(folder: Path, manifest: Manifest, *, deep: bool) -> list[str]:
    """Problems found (empty when the folder matches its manifest)."""
    problems: list[str] = []
    for rel, pin in manifest.files.items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel}: 없음")
        elif path.stat().st_size != pin.size:
            problems.append(f"{rel}: 크기 불일치")
        elif deep and sha256_file(path) != pin.sha256:
            problems.append(f"{rel}: 체크섬 불일치")
    return problems
