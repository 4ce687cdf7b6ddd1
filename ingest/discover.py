"""Which files an ``ingest`` call covers, each with the path as the caller will see it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ingest.manifest import MANIFEST_NAME


class IngestArgumentError(ValueError):
    """Bad arguments (missing path …): the run does not start."""

    def __init__(self, code: str, message_ko: str):
        self.code = code
        self.message_ko = message_ko
        super().__init__(f"{code}: {message_ko}")


@dataclass(frozen=True)
class FoundFile:
    shown: str  # the caller's path string, or the caller's folder joined with the relative path
    path: Path  # usable path on disk


def _ignored(name: str) -> bool:
    # hidden files, Office/Hancom lock files, our own manifest
    return name.startswith((".", "~$")) or name == MANIFEST_NAME


def discover(paths: list[str]) -> tuple[list[FoundFile], list[Path]]:
    """Files to ingest (sorted per folder) and the folder arguments (for ``--sync``)."""
    if not paths:
        raise IngestArgumentError("no_paths", "수집할 파일이나 폴더를 하나 이상 지정하세요.")
    missing = [p for p in paths if not Path(p).expanduser().exists()]
    if missing:
        raise IngestArgumentError(
            "path_not_found", "경로를 찾을 수 없습니다: " + ", ".join(missing)
        )
    files: list[FoundFile] = []
    folders: list[Path] = []
    for given in paths:
        p = Path(given).expanduser()
        if p.is_dir():
            folders.append(p)
            for root, dirs, names in os.walk(p, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                rel_root = os.path.relpath(root, p)
                for name in sorted(names):
                    if _ignored(name):
                        continue
                    full = Path(root) / name
                    if not full.is_file():
                        continue
                    rel = name if rel_root == "." else os.path.join(rel_root, name)
                    files.append(FoundFile(shown=os.path.join(given, rel), path=full))
        elif p.is_file():
            files.append(FoundFile(shown=given, path=p))
        else:
            raise IngestArgumentError(
                "not_a_file", f"일반 파일이나 폴더가 아닙니다(장치·소켓 등): {given}"
            )
    return files, folders
