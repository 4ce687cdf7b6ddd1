"""The one parser interface and the registry that maps a detected format to its parser.

A parser turns one file of a format it declares into a ``ParsedDocument``: ordered ``Block``s
with provenance (page, paragraph index, sheet, row, heading level), tables as Markdown. It
raises ``IngestError`` — and nothing else — for input it cannot read. Text is returned raw;
``ingest.normalize.normalize_document`` cleans it afterwards (the sandbox always does), so
parsers stay about structure, not character hygiene.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from control_tower.domain import ParsedDocument
from ingest.detect import DetectedFormat
from ingest.errors import IngestError


class Parser(ABC):
    """Parse files of ``formats`` into a ``ParsedDocument``."""

    name: ClassVar[str]
    formats: ClassVar[tuple[str, ...]]

    @abstractmethod
    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        """Parse ``path``. ``detected`` (from ``detect_format``) carries sniffed facts such as
        the text encoding or the HWP 배포용 flag; parsers re-detect when it is None."""


_REGISTRY: dict[str, Callable[[], Parser]] = {}


def register(cls: type[Parser]) -> type[Parser]:
    """Class decorator: make ``cls`` the parser for each of its ``formats``."""
    for fmt in cls.formats:
        _REGISTRY[fmt] = cls
    return cls


def parser_for(fmt: str | DetectedFormat) -> Parser:
    """The parser instance for a format name (``"hwp"``, ``"pdf"``, …) or a ``DetectedFormat``."""
    import ingest.parsers  # noqa: F401  (imports every format module, which registers itself)

    name = fmt.format if isinstance(fmt, DetectedFormat) else fmt
    cls = _REGISTRY.get(name)
    if cls is None:
        raise IngestError("unsupported_type", detail=f"no parser for {name!r}")
    return cls()


def registered_formats() -> list[str]:
    import ingest.parsers  # noqa: F401

    return sorted(_REGISTRY)


def guard(name: str, fn: Callable[[], ParsedDocument]) -> ParsedDocument:
    """Run a parser body; turn any library exception into ``IngestError("corrupt")``.

    Libraries raise anything (KeyError, struct.error, lxml errors, …) on damaged files; the
    contract is that callers only ever see ``IngestError``. MemoryError is re-raised so the
    sandbox can report ``memory_limit``.
    """
    try:
        return fn()
    except (IngestError, MemoryError):
        raise
    except RecursionError:
        raise IngestError("corrupt", detail=f"{name}: recursion too deep") from None
    except Exception as e:
        raise IngestError("corrupt", detail=f"{name}: {type(e).__name__}: {e}"[:500]) from None
