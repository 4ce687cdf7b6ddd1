"""The citation check after composing: a sentence stays only if its citations support it.

Rules (why: the embedded models write fluent Korean and wrong numbers):
- a sentence must carry at least one marker ``[n]`` that points at an existing passage;
- every number in it (budgets, years, counts; "2,200" = "2200", "22억" = "22") must occur in a
  cited passage or in a computed fact of this turn;
- a marker that points nowhere is an unsupported citation.
Sentences failing a rule are removed and reported in ``flagged``.
"""

from __future__ import annotations

import re

from control_tower.chat.graph.evidence import Pool

MARKER = re.compile(r"\[(\d{1,2})\]")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.?!。])\s+|\n+")


def numbers_in(text: str) -> set[str]:
    """Numbers as plain digit strings, markers excluded ("2,200" -> "2200", "22.5" kept)."""
    out = set()
    for m in NUMBER.finditer(MARKER.sub(" ", text)):
        value = m.group().replace(",", "").rstrip(".")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.add(value)
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def supported(sentence: str, pool: Pool) -> bool:
    marks = [int(n) for n in MARKER.findall(sentence)]
    if not marks or any(not 1 <= n <= len(pool.evidence) for n in marks):
        return False
    allowed: set[str] = set()
    for nf in pool.facts:  # a computed value counts where the sentence cites what it rests on
        if not nf.cites or set(nf.cites) & set(marks):
            allowed |= numbers_in(nf.fact.value) | numbers_in(nf.fact.sentence)
    for text in pool.texts(marks):
        allowed |= numbers_in(text)
    return numbers_in(sentence) <= allowed


def check_answer(text: str, pool: Pool) -> tuple[list[str], list[str]]:
    """(kept sentences, flagged sentences) of a composed answer."""
    kept, flagged = [], []
    for s in sentences(text):
        (kept if supported(s, pool) else flagged).append(s)
    return kept, flagged


def used_markers(text: str) -> list[int]:
    seen: list[int] = []
    for n in MARKER.findall(text):
        if int(n) not in seen:
            seen.append(int(n))
    return seen
