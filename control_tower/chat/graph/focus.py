"""The part of a passage that answers: the sentence or table row holding the question's terms.

Why: a search hit is a whole chunk (often over a thousand characters) whose first lines are a
title or a document header. Showing the model, or quoting, its first N characters hides the
row "| 대상 하천 | 9개소 |" further down. Terms that are also in the passage's title (usually
the project's own name) weigh less, so the row with what is asked beats the line naming the
project.
"""

from __future__ import annotations

import re

# line breaks (table rows, list items) and sentence ends, Korean "…다." included
_SPLIT = re.compile(r"\n+|(?<=[.!?])\s+")
TITLE_WEIGHT = 0.1  # below one other term even when the whole title matches


def segments(text: str) -> list[str]:
    return [" ".join(s.split()) for s in _SPLIT.split(text or "") if s and s.strip()]


def weight(term: str, title: str) -> float:
    return TITLE_WEIGHT if term in title else 1.0


def best_segment(text: str, terms: list[str], title: str = "") -> tuple[int, float, list[str]]:
    """(index, score, segments) of the segment with the most weighted question terms; the
    first segment (score 0) when none has any."""
    segs = segments(text)
    scores = [sum(weight(t, title) for t in terms if t in s) for s in segs]
    if not segs or max(scores) == 0:
        return 0, 0.0, segs
    best = max(range(len(segs)), key=lambda i: (scores[i], -i))
    return best, scores[best], segs


def focus(text: str, terms: list[str], title: str = "", width: int = 360) -> str:
    """About ``width`` characters around the best segment: it, then what follows, then what
    precedes, whole segments where they fit."""
    best, _, segs = best_segment(text, terms, title)
    if not segs:
        return ""
    lo = hi = best
    size = len(segs[best])
    while size < width and (hi + 1 < len(segs) or lo > 0):
        if hi + 1 < len(segs):
            hi += 1
            size += len(segs[hi]) + 1
        else:
            lo -= 1
            size += len(segs[lo]) + 1
    return " ".join(segs[lo : hi + 1])[:width]


def asks_beyond(text: str, terms: list[str], title: str, known: str) -> bool:
    """Whether the passage's best segment holds a question term that is neither in its title
    nor in ``known`` (the sentences already answered): a detail the card facts do not give."""
    best, score, segs = best_segment(text, terms, title)
    if not segs or score == 0:
        return False
    return any(t in segs[best] and t not in title and t not in known for t in terms)
