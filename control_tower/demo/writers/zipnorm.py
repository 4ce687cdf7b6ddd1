"""Make ZIP-based files (DOCX, XLSX, HWPX) byte-identical across runs.

python-docx and openpyxl stamp every ZIP entry with the current time; rewriting the archive
with a fixed timestamp (entry order and compression kept, so HWPX's stored ``mimetype`` stays
first) makes regeneration deterministic.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def normalize_zip(path: Path, modified: str | None = None) -> None:
    """Rewrite ``path`` with fixed entry times; with ``modified`` (W3CDTF), also pin the
    ``dcterms:modified`` stamp that openpyxl sets to "now" on every save."""
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            data = src.read(info.filename)
            if modified is not None and info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + modified.encode() + rb"\g<2>", data)
            dst.writestr(fixed, data)
    path.write_bytes(buf.getvalue())
