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


def marked_segments(text: str, terms: frozenset[str] | set[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_match) where the query's Kiwi terms occur — the same
    matching as search snippets ("플랫폼을" marks "플랫폼"). The template wraps matches in
    ``<mark>`` and escapes every piece."""
    from control_tower.index.korean_tokenizer import BIGRAM_TAG, normalize, term_spans

    text = normalize(text)
    if not terms or not text.strip():
        return [(text, False)]
    ranges: list[tuple[int, int]] = []
    for span in sorted(term_spans(text), key=lambda sp: sp.start):
        if span.tag == BIGRAM_TAG or span.term not in terms:
            continue
        if ranges and span.start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], span.end))
        else:
            ranges.append((span.start, span.end))
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in ranges:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


__all__ = ["TextBlock", "marked_segments", "split_blocks"]
