"""Find an LLM-proposed value in the document, or reject it (the hallucination guard).

A value is grounded when it appears verbatim (spacing aside) or when most of its words occur
in one line of the document; the citation is that span or that line. A value found nowhere
is dropped: a small model's invention must never reach a card.
"""

from __future__ import annotations

import re

from control_tower.registry.rules.doc import DocView
from control_tower.registry.rules.lines import Line
from control_tower.registry.types import SourceRef

MIN_OVERLAP = 0.7
_WORD = re.compile(r"[0-9A-Za-z가-힣]{2,}")


def _flexible(value: str) -> re.Pattern[str] | None:
    parts = value.split()
    if not parts:
        return None
    return re.compile(r"\s*".join(re.escape(p) for p in parts), re.IGNORECASE)


def ground(view: DocView, lines: list[Line], value: str) -> SourceRef | None:
    """The citation of ``value`` in the document, or None when it cannot be located."""
    value = (value or "").strip()
    if len(value) < 2:
        return None
    pattern = _flexible(value)
    for ln in lines:
        m = pattern.search(ln.text) if pattern else None
        if m:
            return view.ref(ln.blk, ln.start + m.start(), ln.start + m.end())
    words = {w.lower() for w in _WORD.findall(value)}
    if not words:
        return None
    best: tuple[float, Line] | None = None
    for ln in lines:
        text = ln.text.lower()
        share = sum(1 for w in words if w in text) / len(words)
        if share >= MIN_OVERLAP and (best is None or share > best[0]):
            best = (share, ln)
    if best is None:
        return None
    ln = best[1]
    return view.ref(ln.blk, ln.start, ln.end)
