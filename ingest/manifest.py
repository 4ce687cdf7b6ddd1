"""``ct-manifest.json``: per-file ownership and access metadata shipped with a folder.

Format (written e.g. by the demo corpus generator, or by a city's file-share export)::

    {"documents": [{"path": "교통/버스노선.hwp", "key": "...", "title": "...",
                    "department": "교통정책과", "access": "public|internal|department|restricted",
                    "allowed_users": [], "allowed_departments": [], "doc_type": "사업계획",
                    "date": "2025-03-01", "doc_no": "..."}]}

``path`` is relative to the manifest's folder. A manifest applies to files under its own
folder; a manifest deeper in the tree wins for the files below it. Manifest values override
the ``ct ingest`` flags, which are only defaults.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from control_tower.domain import AccessLevel, nfc
from control_tower.store.ids import canonical_path

MANIFEST_NAME = "ct-manifest.json"


class ManifestError(ValueError):
    def __init__(self, path: Path, detail: str):
        self.path = path
        self.message_ko = f"메타데이터 파일을 읽을 수 없습니다: {path} ({detail})"
        super().__init__(self.message_ko)


class ManifestEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    path: str
    key: str | None = None
    title: str | None = None
    department: str | None = None
    access: AccessLevel | None = None
    allowed_users: list[str] = Field(default_factory=list)
    allowed_departments: list[str] = Field(default_factory=list)
    doc_type: str | None = None  # a document category (사업계획, 회의록 …), not the file format
    date: dt.date | None = None
    doc_no: str | None = None

    @field_validator("title", "department", "path", "key", "doc_type", "doc_no")
    @classmethod
    def _nfc(cls, v: str | None) -> str | None:
        return nfc(v) if isinstance(v, str) else v

    @field_validator("allowed_users", "allowed_departments")
    @classmethod
    def _nfc_list(cls, v: list[str]) -> list[str]:
        return [nfc(x) for x in v]

    def extra_fields(self) -> dict:
        """What the store keeps beside the access metadata."""
        out = {k: v for k, v in (("key", self.key), ("doc_no", self.doc_no)) if v}
        if self.doc_type:
            out["category"] = self.doc_type
        return out


def load_manifest(manifest: Path) -> dict[str, ManifestEntry]:
    """Entries keyed by the canonical absolute path of the file they describe."""
    try:
        raw = json.loads(manifest.read_text(encoding="utf-8-sig"))
        docs = raw["documents"] if isinstance(raw, dict) else raw
        entries = [ManifestEntry.model_validate(d) for d in docs]
    except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
        raise ManifestError(manifest, f"{type(exc).__name__}: {exc}") from exc
    base = manifest.parent
    return {canonical_path(base / e.path): e for e in entries}


def manifests_for(root: Path) -> dict[str, ManifestEntry]:
    """All entries from manifests in ``root`` and below (deeper manifests win)."""
    found: dict[str, ManifestEntry] = {}
    if root.is_dir():
        files = sorted(root.rglob(MANIFEST_NAME), key=lambda p: len(p.parts))
    else:
        files = [root.parent / MANIFEST_NAME] if (root.parent / MANIFEST_NAME).is_file() else []
    for mf in files:
        found.update(load_manifest(mf))
    return found
