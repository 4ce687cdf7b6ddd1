"""Split a passage's text into paragraphs and tables for display.

Why: parsers store tables as Markdown (``| a | b |`` rows under a ``|---|`` line), which reads
poorly as raw text. The passage page shows them as real tables; everything else stays text.
The template renders the cells with autoescaping — no HTML is built here.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

_SEPARATOR_ROW = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


class TextBlock(BaseModel):
    kind: str  # "text" | "table"
    text: str = ""
    header: list[str] = []
    rows: list[list[str]] = []


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [c.strip() for c in inner.split("|")]


def _is_table(lines: list[str]) -> bool:
    return (
        len(lines) >= 2
        and all(line.lstrip().startswith("|") for line in lines)
        and bool(_SEPARATOR_ROW.match(lines[1].strip()))
    )


def split_blocks(text: str) -> list[TextBlock]:
    """Consecutive lines starting with ``|`` whose second line is a separator become one
    table; everything else is kept as text (line breaks preserved by the page's CSS)."""
    out: list[TextBlock] = []
    pending: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].lstrip().startswith("|"):
            j += 1
        if j > i and _is_table(lines[i:j]):
            if pending:
                out.append(TextBlock(kind="text", text="\n".join(pending).strip("\n")))
                pending = []
            header, body = _cells(lines[i]), [_cells(line) for line in lines[i + 2 : j]]
            out.append(TextBlock(kind="table", header=header, rows=body))
            i = j
        else:
            pending.extend(lines[i : max(j, i + 1)])
            i = max(j, i + 1)
    if pending and "\n".join(pending).strip():
        out.append(TextBlock(kind="text", text="\n".join(pending).strip("\n")))
    return out


__all__ = ["TextBlock", "split_blocks"]
