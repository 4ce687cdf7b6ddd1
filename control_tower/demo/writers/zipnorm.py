"""Make ZIP-based files (DOCX, XLSX, HWPX) byte-identical across runs.

python-docx and openpyxl stamp every ZIP entry with the current time; rewriting the archive
with a fixed timestamp (entry order and compression kept, so HWPX's stored ``mimetype`` stays
first) makes regeneration deterministic.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def normalize_zip(path: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(buf.getvalue())
