"""Evidence passages of a primary mention: short cited lines of the plan's body.

The linker shows these side by side as the reason two cards relate, so they should say what
the project does: lines under 사업내용/목적 first, then the rest of the body in order, never
document metadata or contact lines. At most ``MAX_PASSAGES`` of at most ``MAX_CHARS``.
"""

from __future__ import annotations

from control_tower.registry.rules.doc import DocView
from control_tower.registry.rules.lines import CONTACT, METADATA, Line
from control_tower.registry.types import Passage

MAX_PASSAGES = 8
MAX_CHARS = 400
MIN_CHARS = 15
_PRIORITY = {"summary": 0, "goal": 1, "kpis": 2, "partners": 3, "background": 4}


def passages(view: DocView, lines: list[Line]) -> list[Passage]:
    candidates = [
        ln
        for ln in lines
        if len(ln.body) >= MIN_CHARS and not METADATA.match(ln.text) and not CONTACT.search(ln.text)
    ]
    ranked = sorted(enumerate(candidates), key=lambda p: (_PRIORITY.get(p[1].label or "", 5), p[0]))
    chosen = sorted(ranked[:MAX_PASSAGES], key=lambda p: p[0])
    out: list[Passage] = []
    for _, ln in chosen:
        at = ln.text.find(ln.body)
        start = ln.start + at
        end = min(start + len(ln.body), start + MAX_CHARS)
        text = view.text[start:end].replace("\n", " ")
        out.append(Passage(text=text, source=view.ref(ln.blk, start, end)))
    return out
