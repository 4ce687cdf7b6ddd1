"""Highlighted snippets: an excerpt of a chunk with query terms wrapped in ``<mark>``.

Matching goes through the same Kiwi terms as BM25, so "플랫폼을" in the text highlights
"플랫폼" for the query "플랫폼" (the particle stays unmarked), and a query "통합 데이터"
highlights "통합데이터" in the text. Everything except the marks is HTML-escaped, so a
snippet can be inserted into a page as-is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from control_tower.index.korean_tokenizer import (
    BIGRAM_TAG,
    KiwiTokenizer,
    TermSpan,
    normalize,
    term_spans,
)

SNIPPET_CHARS = 220
_CONTEXT_CHARS = 16  # analysed on each side of the excerpt


def _match_ranges(text_spans: Iterable[TermSpan], query_terms: set[str]) -> list[tuple[int, int]]:
    ranges = sorted(
        (s.start, s.end)
        for s in text_spans
        # Bigrams of unknown long nouns would light up fragments; highlight whole terms only.
        if s.tag != BIGRAM_TAG and s.term in query_terms
    )
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _best_window(ranges: list[tuple[int, int]], length: int, width: int) -> tuple[int, int]:
    """The window of ``width`` characters holding the most matches (leftmost on ties)."""
    if not ranges or length <= width:
        return 0, min(length, width)
    best_start, best_count = 0, -1
    j = 0
    for i, (start, _) in enumerate(ranges):
        while j < len(ranges) and ranges[j][1] <= start + width:
            j += 1
        if j - i > best_count:
            best_start, best_count = start, j - i
    # Give the first match some left context.
    begin = max(0, min(best_start - width // 5, length - width))
    return begin, min(length, begin + width)


def highlight(text: str, query_terms: set[str], width: int = SNIPPET_CHARS) -> str:
    """An HTML-safe excerpt of ``text`` (about ``width`` chars) with matches in ``<mark>``."""
    return highlight_many([text], query_terms, width)[0]


def highlight_many(
    texts: Sequence[str],
    query_terms: set[str],
    width: int = SNIPPET_CHARS,
    spans: Sequence[list[TermSpan] | None] | None = None,
) -> list[str]:
    """``highlight`` for the hits of one search.

    ``spans``: each text's term spans as stored at indexing (``Index.term_spans``), or None
    where unknown. Kiwi costs ~3 ms per 1,000 characters, the largest part of a search after
    the query embedding, so a text without stored spans has only its excerpt analysed (plus
    a little context, so a word cut by the window edge analyses as in the full text); the
    excerpt is placed where the query terms occur as plain substrings.
    """
    texts = [normalize(t) for t in texts]
    known: list[list[TermSpan] | None] = list(spans) if spans is not None else [None] * len(texts)
    windows: list[tuple[int, int]] = []
    ranges: list[list[tuple[int, int]] | None] = []
    for text, text_spans in zip(texts, known, strict=True):
        if text_spans is None:
            windows.append(_window(text, query_terms, width))
            ranges.append(None)
        else:
            matched = _match_ranges(text_spans, query_terms) if query_terms else []
            windows.append(_best_window(matched, len(text), width))
            ranges.append(matched)
    todo = [i for i, r in enumerate(ranges) if r is None]
    if todo and query_terms:
        regions = [
            (
                max(0, windows[i][0] - _CONTEXT_CHARS),
                min(len(texts[i]), windows[i][1] + _CONTEXT_CHARS),
            )
            for i in todo
        ]
        analysed = KiwiTokenizer.shared().spans_batch(
            [texts[i][a:z] for i, (a, z) in zip(todo, regions, strict=True)]
        )
        for i, (offset, _), region_spans in zip(todo, regions, analysed, strict=True):
            ranges[i] = [
                (a + offset, z + offset) for a, z in _match_ranges(region_spans, query_terms)
            ]
    return [
        _render(text, r or [], begin, end)
        for text, r, (begin, end) in zip(texts, ranges, windows, strict=True)
    ]


def _window(text: str, query_terms: set[str], width: int) -> tuple[int, int]:
    """Where the excerpt goes: the ``width`` characters with most substring matches."""
    if len(text) <= width or not query_terms:
        return 0, min(len(text), width)
    # One-syllable terms ("시", "안") occur inside many unrelated words; place the window by
    # the longer terms when there are any.
    terms = [t for t in query_terms if len(t) > 1] or list(query_terms)
    ranges = sorted(
        (m.start(), m.start() + len(t)) for t in terms for m in re.finditer(re.escape(t), text)
    )
    return _best_window(ranges, len(text), width)


def _render(text: str, ranges: list[tuple[int, int]], begin: int, end: int) -> str:
    parts: list[str] = ["…"] if begin > 0 else []
    pos = begin
    for start, stop in ranges:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin, pos), min(stop, end)
        if start >= stop:
            continue
        parts.append(html.escape(text[pos:start]))
        parts.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        pos = stop
    parts.append(html.escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts).replace("\n", " ")


def query_terms(query: str) -> set[str]:
    return {s.term for s in term_spans(query) if s.tag != BIGRAM_TAG}
