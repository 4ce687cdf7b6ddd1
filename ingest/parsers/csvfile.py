"""CSV/TSV: the standard library's csv with a sniffed dialect, decoded with the charset that
detection found (UTF-8 or CP949 in Korean offices). Same block shape as XLSX."""

from __future__ import annotations

import csv as csvlib
import io
from pathlib import Path

from control_tower.domain import ParsedDocument
from ingest.detect import DetectedFormat, decode_text
from ingest.parsers.base import Parser, guard, register
from ingest.parsers.tabular import rows_to_blocks

csvlib.field_size_limit(16 * 1024 * 1024)


@register
class CsvParser(Parser):
    name = "csv"
    formats = ("csv",)

    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        return guard(self.name, lambda: self._parse(Path(path)))

    def _parse(self, path: Path) -> ParsedDocument:
        # Decode the whole file, not the detector's 64 KiB sniff window: a CP949 byte late in
        # a file would otherwise be garbled.
        text, encoding = decode_text(path.read_bytes())
        try:
            dialect = csvlib.Sniffer().sniff(text[:8192], delimiters=",\t;|")
        except csvlib.Error:
            dialect = csvlib.excel
        reader = csvlib.reader(io.StringIO(text), dialect)
        rows = ((n, [c.strip() for c in cells]) for n, cells in enumerate(reader, start=1))
        blocks = rows_to_blocks(rows, sheet=None)
        return ParsedDocument(blocks=blocks, parser=self.name, metadata={"encoding": encoding})
