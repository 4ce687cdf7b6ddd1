"""The demo corpus generated once per session, parsed with the real parsers, for the
registry extraction tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from control_tower.demo.generate import generate_demo_corpus
from control_tower.demo.manifest import DemoManifest
from control_tower.domain import ParsedDocument
from control_tower.registry.extract import ExtractResult, extract_mentions
from control_tower.registry.types import SourceRef
from ingest.chunking import full_text
from ingest.parsers import parse_file


@dataclass
class DemoDoc:
    key: str
    path: str
    doc_type: str
    parsed: ParsedDocument
    base: SourceRef

    @property
    def text(self) -> str:
        return full_text(self.parsed)


@dataclass
class DemoCorpus:
    root: Path
    manifest: DemoManifest
    departments: list[str]
    _cache: dict[str, DemoDoc]

    def doc(self, key: str) -> DemoDoc:
        if key not in self._cache:
            entry = self.manifest.by_key()[key]
            parsed = parse_file(self.root / entry.path)
            base = SourceRef(
                doc_id=f"doc-{key}",
                path=entry.path,
                title=entry.title,
                department=entry.department,
                doc_date=date.fromisoformat(str(entry.date)),
            )
            self._cache[key] = DemoDoc(key, entry.path, entry.doc_type, parsed, base)
        return self._cache[key]

    def keys(self, doc_type: str | None = None) -> list[str]:
        return [e.key for e in self.manifest.documents if doc_type in (None, e.doc_type)]

    def extract(self, key: str, llm=None) -> ExtractResult:
        d = self.doc(key)
        return extract_mentions(d.parsed, d.base, departments=self.departments, llm=llm)


@pytest.fixture(scope="session")
def demo_corpus(tmp_path_factory) -> DemoCorpus:
    root = tmp_path_factory.mktemp("registry_demo")
    manifest = generate_demo_corpus(root)
    departments = sorted({e.department for e in manifest.documents})
    return DemoCorpus(root, manifest, departments, {})


Extract = Callable[[str], ExtractResult]
