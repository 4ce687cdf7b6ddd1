"""What a file really is, from its bytes — never from its extension.

Government file shares are full of lies: HTML saved as ``.hwp``, DRM wrappers with a ``.hwp``
name, legacy ``.doc`` renamed, CP949 text files. ``detect_format`` reads the magic bytes and,
for containers (OLE2, ZIP), the container's content, and returns a ``DetectedFormat`` or raises
``IngestError`` with the reason the file will not be parsed (DRM, password, zip bomb, …).

Zip bomb guard: every ZIP is checked (member count, total uncompressed size, compression
ratio) *here*, before any zip-based parser (HWPX, DOCX, XLSX, PPTX) opens it.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ingest.errors import IngestError

FormatName = Literal["hwp", "hwpx", "pdf", "docx", "xlsx", "pptx", "html", "csv", "txt", "md"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # local file header / empty archive
MARKANY_MAGIC = b"<MARKANY_DOCUMENTSAFER>"
HWP_SIGNATURE = b"HWP Document File"
HWPX_MIMETYPE = "application/hwp+zip"

# HWP 5.x FileHeader property bits (Hancom "HWP 5.0 문서 파일 구조" §3.2.1).
HWP_FLAG_COMPRESSED = 1 << 0
HWP_FLAG_PASSWORD = 1 << 1
HWP_FLAG_DISTRIBUTION = 1 << 2
HWP_FLAG_DRM = 1 << 4
HWP_FLAG_CERT_ENCRYPTED = 1 << 8

SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """Bounds a ZIP container must stay within before any parser inflates it."""

    max_members: int = 10_000
    max_uncompressed_mb: int = 1024
    max_ratio: float = 200.0  # total uncompressed / compressed; office XML is ~5–20

    @classmethod
    def from_settings(cls, settings) -> ZipLimits:
        return cls(
            max_members=settings.zip_max_members,
            max_uncompressed_mb=settings.zip_max_uncompressed_mb,
            max_ratio=settings.zip_max_ratio,
        )


class DetectedFormat(BaseModel):
    """The result of sniffing one file."""

    format: FormatName
    encoding: str | None = None  # text formats (csv, txt, md, html): the charset to decode with
    hwp_version: str | None = None  # HWP 5.x FileHeader version, e.g. "5.0.3.0"
    hwp_distribution: bool = False  # 배포용 문서: body in ViewText, parsers may show a placeholder
    hwp_compressed: bool | None = None
    details: dict[str, str] = Field(default_factory=dict)


def detect_format(path: str | Path, *, zip_limits: ZipLimits | None = None) -> DetectedFormat:
    """Sniff ``path`` and return its format, or raise ``IngestError`` saying why not.

    Raises: ``empty`` (0 bytes / whitespace), ``drm_markany``, ``encrypted`` (HWP password or
    DRM flag), ``truncated`` / ``corrupt`` (broken OLE or ZIP containers), ``zip_bomb``,
    ``unsupported_type`` (anything else, including legacy .doc/.xls and binaries).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as e:
        raise IngestError("corrupt", detail=f"cannot read file: {e}") from None
    if size == 0:
        raise IngestError("empty", detail="0 bytes")
    if head.startswith(MARKANY_MAGIC):
        raise IngestError("drm_markany")
    if head.startswith(OLE_MAGIC):
        return _detect_ole(path, size)
    if head.startswith(ZIP_MAGICS):
        return _detect_zip(path, size, zip_limits or ZipLimits())
    if b"%PDF-" in head[:1024]:
        return DetectedFormat(format="pdf")
    return _detect_text(head, size)


# --- OLE2 (HWP 5.x) -------------------------------------------------------------------------


def _detect_ole(path: Path, size: int) -> DetectedFormat:
    import olefile  # BSD-2; only needed for OLE files

    layout = _ole_layout(path, size)
    if layout == "beyond_eof":
        raise IngestError("truncated", detail="OLE FAT sectors lie beyond end of file")
    # A real OLE file is a 512-byte header plus whole sectors. Some writers leave a few
    # stray bytes (16 of the 300 NTS files parse fine that way), so a misaligned size is
    # only evidence: it turns a later failure into "truncated" instead of "corrupt".
    broken = "truncated" if layout == "misaligned" else "corrupt"
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("FileHeader"):
                if ole.exists("BodyText") or broken == "truncated":
                    raise IngestError(broken, detail="OLE2 HWP without readable FileHeader")
                # Legacy MS Office (.doc/.xls/.ppt) or another OLE application.
                raise IngestError("unsupported_type", detail="OLE2 container without FileHeader")
            header = ole.openstream("FileHeader").read(256)
    except IngestError:
        raise
    except Exception as e:  # olefile raises OSError, struct.error, IndexError, … on damage
        raise IngestError(broken, detail=f"OLE: {type(e).__name__}: {e}") from None
    if not header.startswith(HWP_SIGNATURE) or len(header) < 40:
        raise IngestError(broken, detail="FileHeader without HWP signature")
    version_raw, flags = struct.unpack_from("<II", header, 32)
    version = ".".join(str((version_raw >> s) & 0xFF) for s in (24, 16, 8, 0))
    if flags & HWP_FLAG_PASSWORD:
        raise IngestError("encrypted", detail="HWP password flag")
    if flags & (HWP_FLAG_DRM | HWP_FLAG_CERT_ENCRYPTED):
        raise IngestError("encrypted", detail="HWP DRM/certificate encryption flag")
    return DetectedFormat(
        format="hwp",
        hwp_version=version,
        hwp_distribution=bool(flags & HWP_FLAG_DISTRIBUTION),
        hwp_compressed=bool(flags & HWP_FLAG_COMPRESSED),
        details={"ole_size_misaligned": "true"} if layout == "misaligned" else {},
    )


def _ole_layout(path: Path, size: int) -> Literal["ok", "misaligned", "beyond_eof"]:
    """Check the OLE header against the file size.

    A cut-off copy keeps a valid header but loses the tail; the FAT (allocation table) is
    usually written last, so its sector numbers point past EOF. Telling "truncated" from
    generic corruption matters to people: one is fixed by copying the file again.
    """
    with path.open("rb") as f:
        header = f.read(512)
    if len(header) < 512:
        return "beyond_eof"
    sector_shift = struct.unpack_from("<H", header, 30)[0]
    if sector_shift not in (9, 12):
        return "ok"  # not a sane header: olefile will call it corrupt
    sector_size = 1 << sector_shift
    n_sectors = -(-(size - sector_size) // sector_size)  # a partial last sector still counts
    num_fat = struct.unpack_from("<I", header, 44)[0]
    first_dir = struct.unpack_from("<I", header, 48)[0]
    difat = struct.unpack_from("<109I", header, 76)
    fat_sectors = [s for s in difat[: min(num_fat, 109)] if s < 0xFFFFFFFA]
    if any(s >= n_sectors for s in fat_sectors) or (
        first_dir < 0xFFFFFFFA and first_dir >= n_sectors
    ):
        return "beyond_eof"
    return "misaligned" if (size - sector_size) % sector_size else "ok"


# --- ZIP (HWPX, OOXML) ----------------------------------------------------------------------


def _detect_zip(path: Path, size: int, limits: ZipLimits) -> DetectedFormat:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        # A local header at offset 0 but no end-of-central-directory record: a cut-off copy.
        code = "corrupt" if _has_zip_end_record(path, size) else "truncated"
        raise IngestError(code, detail=f"zip: {e}") from None
    except Exception as e:
        raise IngestError("corrupt", detail=f"zip: {type(e).__name__}: {e}") from None
    with zf:
        infos = zf.infolist()
        check_zip_bomb(infos, size, limits)
        names = {i.filename for i in infos}
        mimetype = _read_small(zf, "mimetype") if "mimetype" in names else ""
        if mimetype.strip() == HWPX_MIMETYPE or any(n.startswith("Contents/") for n in names):
            return DetectedFormat(format="hwpx", details={"mimetype": mimetype.strip()})
        if "[Content_Types].xml" in names:
            for prefix, fmt in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                if any(n.startswith(prefix) for n in names):
                    return DetectedFormat(format=fmt)
        raise IngestError(
            "unsupported_type", detail=f"zip without HWPX/OOXML parts (mimetype={mimetype!r})"
        )


def _has_zip_end_record(path: Path, size: int) -> bool:
    with path.open("rb") as f:
        f.seek(max(0, size - 66_000))  # EOCD is within the last 22 + 65,535 (comment) bytes
        return b"PK\x05\x06" in f.read()


def check_zip_bomb(infos: list[zipfile.ZipInfo], compressed_size: int, limits: ZipLimits) -> None:
    """Raise ``zip_bomb`` when a ZIP's declared contents exceed ``limits``.

    The declared sizes come from the central directory; a parser that trusts them less than
    we do would still be stopped by the sandbox's memory cap.
    """
    if len(infos) > limits.max_members:
        raise IngestError("zip_bomb", detail=f"{len(infos)} members > {limits.max_members}")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_mb * 1024 * 1024:
        raise IngestError("zip_bomb", detail=f"{total} bytes uncompressed")
    # Ratio only matters once there is something big: tiny files compress absurdly well.
    if total > 10 * 1024 * 1024 and total / max(compressed_size, 1) > limits.max_ratio:
        raise IngestError("zip_bomb", detail=f"ratio {total / max(compressed_size, 1):.0f}")


def _read_small(zf: zipfile.ZipFile, name: str) -> str:
    try:
        with zf.open(name) as f:
            return f.read(200).decode("ascii", "replace")
    except Exception:
        return ""


# --- text (HTML, CSV, TXT, MD) --------------------------------------------------------------

_HTML_RE = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b",
    re.I | re.S,
)
_MD_RE = re.compile(r"^(#{1,6} \S|[-*+] \S|\d+\. \S|```|\|.*\|\s*$)", re.M)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode Korean-office text bytes: BOMs, UTF-8, then CP949 (superset of EUC-KR), then a
    statistical guess. Returns ``(text, encoding)``; raises ``unsupported_type`` for binary."""
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    if b"\x00" in data[:SNIFF_BYTES]:
        raise IngestError("unsupported_type", detail="binary data (NUL bytes)")
    for enc in ("utf-8", "cp949"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as e:
            # The sniff window can end inside a multibyte character: tolerate only that.
            if e.start >= len(data) - 3 and len(data) >= SNIFF_BYTES:
                return data[: e.start].decode(enc), enc
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError("unsupported_type", detail="no text encoding fits")
    return str(best), best.encoding


def _detect_text(head: bytes, size: int) -> DetectedFormat:
    if _HTML_RE.match(head[:4096]):
        _, enc = _decode_sniff(head)
        return DetectedFormat(format="html", encoding=_html_charset(head) or enc)
    text, enc = _decode_sniff(head)
    if not text.strip():
        raise IngestError("empty", detail="whitespace only")
    if _looks_binary(text):
        raise IngestError("unsupported_type", detail="mostly control characters")
    if _looks_csv(text):
        return DetectedFormat(format="csv", encoding=enc)
    if _MD_RE.search(text):
        return DetectedFormat(format="md", encoding=enc)
    return DetectedFormat(format="txt", encoding=enc)


def _decode_sniff(head: bytes) -> tuple[str, str]:
    return decode_text(head)


def _html_charset(head: bytes) -> str | None:
    m = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", head[:4096], re.I)
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    # EUC-KR pages routinely contain CP949-only syllables; CP949 is the safe superset.
    return "cp949" if name in ("euc-kr", "euckr", "ks_c_5601-1987", "x-windows-949") else name


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    return bad > len(sample) * 0.05


def _looks_csv(text: str) -> bool:
    """At least 2 lines, every sampled line has the same number (≥1) of one delimiter."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if len(lines) < 2:
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",\t;|")
    except csv.Error:
        return False
    rows = list(csv.reader(io.StringIO("\n".join(lines)), dialect))
    widths = {len(r) for r in rows[:-1] or rows}  # the last sampled line may be cut off
    return len(widths) == 1 and widths.pop() >= 2
