"""Parsed copies: each indexed document version's ``ParsedDocument``, kept beside the index.

The registry reads documents' structure (overview tables, budget rows, headings), which the
chunks no longer carry whole: tables are split, headings prefixed, pieces overlap. Re-parsing
the source file at build time would need the file to still be there and unchanged, so the
ingestion pipeline saves the parsed form it already has (gzipped JSON, ~10 % of the text
size) and the build reads it back. One file per document, the latest version only.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from control_tower.domain import ParsedDocument


class ParsedCopies:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, doc_id: str) -> Path:
        return self.folder / f"{doc_id}.json.gz"

    def save(self, doc_id: str, version: int, parsed: ParsedDocument) -> None:
        """Atomically replace the document's copy (a killed process leaves the old one)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = parsed.model_copy(
            update={"metadata": {**parsed.metadata, "ct_version": str(version)}}
        )
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                gz.write(payload.model_dump_json().encode("utf-8"))
            os.replace(tmp, self._path(doc_id))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, doc_id: str, version: int) -> ParsedDocument | None:
        """The copy of exactly ``version``; None if missing, stale or unreadable."""
        path = self._path(doc_id)
        try:
            with gzip.open(path, "rb") as gz:
                parsed = ParsedDocument.model_validate_json(gz.read())
        except (OSError, EOFError, ValueError, ValidationError):
            return None
        if parsed.metadata.get("ct_version") != str(version):
            return None
        return parsed

    def delete(self, doc_id: str) -> None:
        self._path(doc_id).unlink(missing_ok=True)


def parsed_copies(data_dir: Path) -> ParsedCopies:
    return ParsedCopies(Path(data_dir) / "parsed")
