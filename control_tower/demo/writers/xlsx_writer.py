"""XLSX through openpyxl: a document-information sheet plus one sheet per table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from control_tower.demo.layout import Layout, meta_lines
from control_tower.demo.writers.zipnorm import normalize_zip

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _width(value) -> int:
    text = str(value)
    # Hangul is about twice as wide as Latin in Excel's default font.
    return sum(2 if ord(ch) > 0x1100 else 1 for ch in text)


def write_xlsx(layout: Layout, path: Path) -> None:
    doc = layout.doc
    wb = Workbook()
    info = wb.active
    info.title = "문서정보"
    info["A1"] = doc.title
    info["A1"].font = Font(bold=True, size=14)
    for i, line in enumerate(meta_lines(doc, layout.department), start=3):
        label, _, value = line.partition(": ")
        info.cell(row=i, column=1, value=label).font = Font(bold=True)
        info.cell(row=i, column=2, value=value)
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 48

    for sheet in doc.sheets:
        ws = wb.create_sheet(sheet.name)
        ws["A1"] = sheet.title
        ws["A1"].font = Font(bold=True, size=12)
        header_row = 3
        for c, value in enumerate(sheet.header, start=1):
            cell = ws.cell(row=header_row, column=c, value=value)
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
        for r, row in enumerate(sheet.rows, start=header_row + 1):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, int | float):
                    cell.number_format = "#,##0"
        note_row = header_row + len(sheet.rows) + 2
        for i, note in enumerate(sheet.notes):
            ws.cell(row=note_row + i, column=1, value=note)
        for c in range(1, len(sheet.header) + 1):
            values = [sheet.header[c - 1]] + [row[c - 1] for row in sheet.rows]
            ws.column_dimensions[get_column_letter(c)].width = min(
                max(_width(v) for v in values) + 2, 60
            )
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    fixed = datetime(doc.date.year, doc.date.month, doc.date.day)
    wb.properties.creator = f"포항시 {layout.department}"
    wb.properties.title = doc.title
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.save(str(path))
    normalize_zip(path, modified=fixed.strftime("%Y-%m-%dT%H:%M:%SZ"))
