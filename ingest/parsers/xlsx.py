"""XLSX: openpyxl (MIT) in read-only, values-only mode (cached formula results, low memory).
Every sheet becomes table blocks with ``sheet`` and ``row`` provenance (see ``tabular``)."""

from __future__ import annotations

from pathlib import Path

from control_tower.domain import ParsedDocument
from ingest.detect import DetectedFormat
from ingest.parsers.base import Parser, guard, register
from ingest.parsers.tabular import cell_text, rows_to_blocks


@register
class XlsxParser(Parser):
    name = "openpyxl"
    formats = ("xlsx",)

    def parse(self, path: Path, detected: DetectedFormat | None = None) -> ParsedDocument:
        return guard(self.name, lambda: self._parse(Path(path)))

    def _parse(self, path: Path) -> ParsedDocument:
        import openpyxl

        wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        try:
            blocks = []
            for ws in wb.worksheets:
                rows = (
                    (n, [cell_text(v) for v in values])
                    for n, values in enumerate(ws.iter_rows(values_only=True), start=1)
                )
                blocks.extend(rows_to_blocks(rows, sheet=ws.title))
            title = (wb.properties.title or "").strip() or None
            sheets = ",".join(ws.title for ws in wb.worksheets)
        finally:
            wb.close()
        return ParsedDocument(
            title=title, blocks=blocks, parser=self.name, metadata={"sheets": sheets}
        )
