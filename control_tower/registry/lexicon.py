"""AI/data technology and data-kind terms (lexicon.json) found in a project's own text.

A term matches any of its surface forms; Latin forms (``LLM``, ``GPU``, ``IoT``) must not touch
other Latin letters, so ``API`` is not found inside ``RAPID``. Each term is reported once, at
its first occurrence, so a field value can cite where it was read.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).with_name("lexicon.json")


@lru_cache(maxsize=4)
def load_lexicon(path: str = str(LEXICON_PATH)) -> dict[str, dict[str, list[str]]]:
    return json.loads(Path(path).read_text("utf-8"))


def _pattern(form: str) -> re.Pattern[str]:
    body = r"\s*".join(re.escape(part) for part in form.split())
    if re.search(r"[A-Za-z]", form):
        body = rf"(?<![A-Za-z]){body}(?![A-Za-z])"
    return re.compile(body, re.IGNORECASE)


@lru_cache(maxsize=2048)
def _compiled(form: str) -> re.Pattern[str]:
    return _pattern(form)


def find_terms(text: str, kind: str) -> list[tuple[str, int, int]]:
    """(term, start, end) for every ``kind`` term ("technologies" | "data") in ``text``,
    each at its first occurrence, ordered by position."""
    found: list[tuple[str, int, int]] = []
    for term, forms in load_lexicon()[kind].items():
        best: tuple[int, int] | None = None
        for form in forms:
            m = _compiled(form).search(text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), m.end())
        if best is not None:
            found.append((term, *best))
    return sorted(found, key=lambda t: t[1])
