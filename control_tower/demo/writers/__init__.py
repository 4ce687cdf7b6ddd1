"""One writer per file format; each renders a ``Layout`` to a path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from control_tower.demo.layout import Layout
from control_tower.demo.writers.docx_writer import write_docx
from control_tower.demo.writers.hwpx_writer import write_hwp, write_hwpx
from control_tower.demo.writers.pdf_writer import write_pdf
from control_tower.demo.writers.xlsx_writer import write_xlsx

Writer = Callable[[Layout, Path], None]

WRITERS: dict[str, Writer] = {
    "hwpx": write_hwpx,
    "hwp": write_hwp,
    "pdf": write_pdf,
    "docx": write_docx,
    "xlsx": write_xlsx,
}
