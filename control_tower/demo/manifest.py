"""``ct-manifest.json``: what the ingestion pipeline reads to set each file's owner and access."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from control_tower.domain import AccessLevel

MANIFEST_NAME = "ct-manifest.json"


class ManifestEntry(BaseModel):
    path: str  # relative to the corpus folder, "<부서>/<파일명>.<ext>"
    key: str  # stable document key; the corpus-id in evals/datasets/demo/qrels.tsv
    title: str
    department: str
    access: AccessLevel
    allowed_users: list[str] = Field(default_factory=list)
    allowed_departments: list[str] = Field(default_factory=list)
    doc_type: str  # document kind (사업계획, 주요업무계획, 회의록, 보고서, 예산자료)
    date: str  # YYYY-MM-DD
    doc_no: str


class DemoManifest(BaseModel):
    documents: list[ManifestEntry]

    def write(self, out_dir: Path) -> Path:
        path = out_dir / MANIFEST_NAME
        data = self.model_dump(mode="json")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, out_dir: Path) -> DemoManifest:
        return cls.model_validate_json((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))

    def by_key(self) -> dict[str, ManifestEntry]:
        return {entry.key: entry for entry in self.documents}
