"""DOCX through python-docx: Title/Heading styles and real tables."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx
from docx.shared import Pt

from control_tower.demo.layout import Layout, format_cell
from control_tower.demo.writers.zipnorm import normalize_zip


def write_docx(layout: Layout, path: Path) -> None:
    document = docx.Document()
    fixed = datetime(layout.doc.date.year, layout.doc.date.month, layout.doc.date.day)
    props = document.core_properties
    props.title = layout.doc.title
    props.author = f"포항시 {layout.department}"
    props.created = fixed
    props.modified = fixed
    props.last_modified_by = f"포항시 {layout.department}"
    props.revision = 1
    for block in layout.blocks:
        if block.kind == "title":
            document.add_heading(block.text, level=0)
        elif block.kind == "meta":
            run = document.add_paragraph().add_run(block.text)
            run.font.size = Pt(9)
        elif block.kind == "heading":
            document.add_heading(block.text, level=min(block.level, 9))
        elif block.kind == "para":
            document.add_paragraph(block.text)
        elif block.kind == "table" and block.table is not None:
            data = block.table
            if data.title:
                document.add_paragraph(f"<표> {data.title}")
            table = document.add_table(rows=1 + len(data.rows), cols=len(data.header))
            table.style = "Table Grid"
            for c, value in enumerate(data.header):
                cell = table.cell(0, c)
                cell.text = value
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for r, row in enumerate(data.rows, start=1):
                for c, value in enumerate(row):
                    table.cell(r, c).text = format_cell(value)
    document.save(str(path))
    normalize_zip(path)
