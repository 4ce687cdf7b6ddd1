"""HWP 5.x and HWPX: a chain of three MIT libraries, fastest first.

1. ``unhwp`` (Rust, ~0.3 ms/file) — but for 배포용 (distribution) documents it returns only
   Hancom's placeholder "이 문서는 상위 버전의 배포용 문서입니다…" *without error*. We skip it
   when the FileHeader says 배포용 and, in any case, reject its output when it is the
   placeholder.
2. ``hwp2markdown`` (``hwp2md``, pure Python, decrypts 배포용 ViewText) — typed errors.
3. ``dochan`` (pure Python) — never raises; failures are in ``doc.errors``.

The placeholder is never returned as content: if every library yields only the placeholder
the file fails with ``distribution_placeholder_only``.
"""

from __future__ import annotations

import re
from pathlib import Path

from control_tower.domain import BlockKind, ParsedDocument
from ingest.detect import DetectedFormat, detect_format
from ingest.errors import IngestError
from ingest.parsers.base import Parser, register
from ingest.parsers.markdown_blocks import markdown_to_blocks

# The placeholder's wording varies slightly by Hancom version; these fragments are stable.
_PLACEHOLDER_RE = re.compile(r"상위\s*버전의\s*배포용\s*문서|배포용\s*문서입니다")


def is_distribution_placeholder(text: str) -> bool:
    """True when ``text`` is (essentially) only the 배포용 placeholder sentence."""
    if not _PLACEHOLDER_RE.search(text):
        return False
    rest = _PLACEHOLDER_RE.sub("", text)
    # The placeholder is ~130 characters; real content would add far more than that.
    return len(re.sub(r"\s+", "", rest)) < 200


class _Attempt(Exception):
    """One library could not produce content; carries the IngestError it would map to."""

    def __init__(self, error: IngestError) -> None:
        self.error = error


def _via_unhwp(path: Path) -> str:
    import unhwp

    opts = unhwp.RenderOptions(
        escape_special_chars=False,
        max_heading_level=6,
        include_frontmatter=False,
        table_fallback="markdown",
    )
    try:
        with unhwp.parse(str(path), render_options=opts) as result:
            return result.markdown
    except unhwp.UnhwpError as e:
        kind = getattr(e, "kind", None)
        if kind == unhwp.ErrorKind.ENCRYPTED:
            code = "encrypted"
        elif kind == unhwp.ErrorKind.DISTRIBUTION_RESTRICTED:
            code = "distribution_placeholder_only"
        elif kind in (unhwp.ErrorKind.UNKNOWN_FORMAT, unhwp.ErrorKind.UNSUPPORTED_FORMAT):
            code = "unsupported_type"
        else:
            code = "corrupt"
        raise _Attempt(IngestError(code, detail=f"unhwp {kind!r}: {e}"[:300])) from None


def _via_hwp2md(path: Path) -> str:
    import hwp2md

    try:
        return hwp2md.convert_bytes(path.read_bytes(), filename=path.name).markdown
    except hwp2md.DrmProtectedError as e:
        raise IngestError("encrypted", detail=f"hwp2md DRM: {e}") from None
    except hwp2md.EncryptedDocumentError as e:
        raise IngestError("encrypted", detail=f"hwp2md: {e}") from None
    except hwp2md.NotHwpFileError as e:
        raise _Attempt(IngestError("corrupt", detail=f"hwp2md: {e}"[:300])) from None
    except MemoryError:
        raise
    except Exception as e:  # hwp2md's own parsers raise anything on damaged records
        raise _Attempt(
            IngestError("corrupt", detail=f"hwp2md {type(e).__name__}: {e}"[:300])
        ) from None


def _via_dochan(path: Path) -> str:
    from dochan import Dochan

    reader = Dochan(str(path))
    errors = [e for e in reader.doc.errors if str(e).startswith("ERR")]
    try:
        markdown = reader.to_markdown()
    except Exception as e:
        errors.append(f"to_markdown: {type(e).__name__}: {e}")
        markdown = ""
    if errors and not markdown.strip():
        joined = "; ".join(map(str, errors))[:300]
        code = "encrypted" if ("암호" in joined or "DRM" in joined) else "corrupt"
        raise _Attempt(IngestError(code, detail=f"dochan: {joined}"))
    return markdown


class HancomParser(Parser):
    """Shared chain for HWP and HWPX; subclasses only declare their format."""

    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        path = Path(path)
        detected = detected or detect_format(path)
        chain = [("unhwp", _via_unhwp), ("hwp2markdown", _via_hwp2md), ("dochan", _via_dochan)]
        if detected.hwp_distribution:
            chain = chain[1:]  # unhwp would only return the placeholder
        warnings: list[str] = []
        failures: list[IngestError] = []
        saw_placeholder = False
        for name, extract in chain:
            try:
                markdown = extract(path)
            except _Attempt as a:
                failures.append(a.error)
                warnings.append(f"{name}: {a.error.code} ({a.error.detail})")
                continue
            if is_distribution_placeholder(markdown):
                saw_placeholder = True
                warnings.append(f"{name}: 배포용 placeholder only")
                continue
            blocks = markdown_to_blocks(markdown)
            if not blocks:
                warnings.append(f"{name}: no text")
                failures.append(IngestError("empty", detail=f"{name}: no text"))
                continue
            title = next((b.text for b in blocks if b.kind == BlockKind.heading), None)
            meta = {"hwp_version": detected.hwp_version or ""}
            if detected.hwp_distribution:
                meta["distribution"] = "true"
            return ParsedDocument(
                title=title,
                blocks=blocks,
                parser=name,
                warnings=warnings,
                metadata={k: v for k, v in meta.items() if v},
            )
        if saw_placeholder and not any(f.code != "empty" for f in failures):
            raise IngestError("distribution_placeholder_only", detail="; ".join(warnings))
        if detected.details.get("ole_size_misaligned") and any(
            f.code in ("corrupt", "empty") for f in failures
        ):
            raise IngestError("truncated", detail="; ".join(warnings)[:500])
        raise _most_telling(failures, warnings)


def _most_telling(failures: list[IngestError], warnings: list[str]) -> IngestError:
    """Pick the reason a person can act on. A library error beats "no text" from another one:
    damaged files often make the lenient libraries return nothing instead of failing."""
    for code in ("encrypted", "distribution_placeholder_only", "corrupt", "unsupported_type"):
        for f in failures:
            if f.code == code:
                return IngestError(code, detail="; ".join(warnings)[:500])
    return IngestError("empty", detail="; ".join(warnings)[:500])


@register
class HwpParser(HancomParser):
    name = "hwp"
    formats = ("hwp",)
