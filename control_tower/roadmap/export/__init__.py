"""The exporter seam: one ``Document`` in, one file out, chosen by the file's suffix.

Every exporter only lays out what ``layout.prepare`` hands it (cleaned text, fitted tables,
the sources appendix), so Markdown, DOCX and HWPX cannot disagree on content; the access
re-check runs before, over the one ``Document``. Exporter modules are imported on demand so
that importing this package does not load python-docx or python-hwpx.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Protocol, runtime_checkable

from control_tower.roadmap.document import Document

# suffix -> (module under this package, class name); the one list of supported formats
_EXPORTERS: dict[str, tuple[str, str]] = {
    ".md": ("markdown", "MarkdownExporter"),
    ".docx": ("docx", "DocxExporter"),
    ".hwpx": ("hwpx", "HwpxExporter"),
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_EXPORTERS)


class ExportError(Exception):
    """An export that cannot be done: a stable ``code`` and a Korean ``message_ko``."""

    def __init__(self, code: str, message_ko: str):
        self.code, self.message_ko = code, message_ko
        super().__init__(message_ko)


@runtime_checkable
class Exporter(Protocol):
    """Writes a ``Document`` to ``path`` (replacing it atomically) and returns the path."""

    suffix: str  # ".md", ".docx", ".hwpx"
    media_type: str  # the HTTP Content-Type of a download

    def write(self, doc: Document, path: Path) -> Path: ...


def _suffix_of(path_or_suffix: str | Path) -> str:
    text = str(path_or_suffix).strip()
    lowered = text.lower()
    if lowered in _EXPORTERS:
        return lowered  # a bare suffix such as ".docx"
    if "." + lowered in _EXPORTERS:
        return "." + lowered  # "docx" alone
    return Path(text).suffix.lower()


def exporter_for(path_or_suffix: str | Path) -> Exporter:
    """The exporter for a file name or suffix (".md", "docx", "out/로드맵.hwpx").

    Raises ``ExportError("unsupported_format", …)`` naming the supported formats.
    """
    suffix = _suffix_of(path_or_suffix)
    if suffix not in _EXPORTERS:
        shown = suffix or "(확장자 없음)"
        raise ExportError(
            "unsupported_format",
            f"지원하지 않는 내보내기 형식입니다: {shown}. "
            f"지원 형식: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    module_name, class_name = _EXPORTERS[suffix]
    module = import_module(f"{__name__}.{module_name}")
    return getattr(module, class_name)()


def write_document(doc: Document, path: str | Path) -> Path:
    """Write ``doc`` in the format its path's suffix names; returns the written path."""
    target = Path(path)
    return exporter_for(target).write(doc, target)


__all__ = ["SUPPORTED_SUFFIXES", "ExportError", "Exporter", "exporter_for", "write_document"]
