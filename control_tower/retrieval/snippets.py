"""Highlighted snippets: an excerpt of a chunk with query terms wrapped in ``<mark>``.

Matching goes through the same Kiwi terms as BM25, so "플랫폼을" in the text highlights
"플랫폼" for the query "플랫폼" (the particle stays unmarked), and a query "통합 데이터"
highlights "통합데이터" in the text. Everything except the marks is HTML-escaped, so a
snippet can be inserted into a page as-is.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from control_tower.index.korean_tokenizer import BIGRAM_TAG, TermSpan, normalize, term_spans

SNIPPET_CHARS = 220


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


def highlight(
    text: str,
    query_terms: set[str],
    width: int = SNIPPET_CHARS,
    spans: list[TermSpan] | None = None,
) -> str:
    """An HTML-safe excerpt of ``text`` (about ``width`` chars) with matches in ``<mark>``.

    ``spans``: the text's terms if already computed (``KiwiTokenizer.spans_batch``).
    """
    text = normalize(text)
    if not query_terms:
        ranges = []
    else:
        ranges = _match_ranges(term_spans(text) if spans is None else spans, query_terms)
    begin, end = _best_window(ranges, len(text), width)
    parts: list[str] = ["…"] if begin > 0 else []
    pos = begin
    for start, stop in ranges:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        parts.append(html.escape(text[pos:start]))
        parts.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        pos = stop
    parts.append(html.escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts).replace("\n", " ")


def query_terms(query: str) -> set[str]:
    return {s.term for s in term_spans(query) if s.tag != BIGRAM_TAG}
