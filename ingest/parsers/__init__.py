"""One parser module per format behind one interface (``base.Parser``).

Importing this package registers every parser; ``parse_file`` is the in-process
detect → parse → normalize path (the sandbox runs exactly this in its worker).
"""

from __future__ import annotations

from pathlib import Path

from control_tower.domain import ParsedDocument
from ingest.detect import ZipLimits, detect_format
from ingest.errors import IngestError
from ingest.parsers import csvfile, docx, html, hwp, hwpx, pdf, pptx, text, xlsx  # noqa: F401
from ingest.parsers.base import Parser, parser_for, registered_formats

__all__ = ["Parser", "parse_file", "parser_for", "registered_formats"]


def parse_file(path: str | Path, *, zip_limits: ZipLimits | None = None) -> ParsedDocument:
    """Detect, parse and normalize one file in this process.

    The detected format (what the pipeline stores as ``doc_type``) is in
    ``metadata["format"]``. Raises ``IngestError`` only — ``empty`` when no text is left
    after normalizing. The sandbox runs exactly this function in its worker.
    """
    from ingest.normalize import normalize_document

    path = Path(path)
    detected = detect_format(path, zip_limits=zip_limits)
    parsed = normalize_document(parser_for(detected).parse(path, detected))
    if not parsed.blocks:
        raise IngestError("empty", detail=f"{parsed.parser}: no text after normalization")
    parsed.metadata["format"] = detected.format
    return parsed
