"""The components lexicon: which shared things (platforms, engines, sensors, data sets,
beneficiary groups) a text names, and which domain words a project name carries.

Why a lexicon: two plans that both say "통합 데이터 플랫폼에 적재" share a platform whether or
not their wording is similar overall, and the component's name is what a reviewer wants to
read on the link and on the 통합 플랫폼 후보. Matching ignores spaces and punctuation, so
"통합데이터플랫폼" and "통합 데이터 플랫폼" match the same entry. The lexicon is data
(``components.json``); extending it needs no code change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("components.json")
_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


def squash(text: str) -> str:
    """Lower-case, with whitespace and punctuation removed (the matching space)."""
    return _STRIP.sub("", (text or "").lower())


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    kind: str  # infra | service | data | tech | target
    synonyms: tuple[str, ...]


class Lexicon:
    """Compiled lexicon. Build once per run with :func:`load_lexicon` (cached, immutable)."""

    def __init__(self, data: dict):
        self.components = tuple(
            Component(c["name"], c["kind"], tuple(c["synonyms"])) for c in data["components"]
        )
        self.by_name = {c.name: c for c in self.components}
        syn_to_comp: dict[str, str] = {}
        for comp in self.components:
            for syn in (comp.name, *comp.synonyms):
                syn_to_comp.setdefault(squash(syn), comp.name)
        self._syn_to_comp = syn_to_comp
        # Longest synonym first: "도시데이터허브" must win over "데이터허브".
        alternation = "|".join(re.escape(s) for s in sorted(syn_to_comp, key=len, reverse=True))
        self._pattern = re.compile(alternation)
        self.domains = {d: tuple(squash(w) for w in ws) for d, ws in data["domains"].items()}
        self.generic_words = frozenset(data["generic_name_words"])

    def match(self, text: str) -> set[str]:
        """Component names the text mentions."""
        return {self._syn_to_comp[m.group(0)] for m in self._pattern.finditer(squash(text))}

    def match_synonyms(self, squashed: str) -> dict[str, str]:
        """Component name → the (squashed) synonym that matched, for already squashed text."""
        out: dict[str, str] = {}
        for m in self._pattern.finditer(squashed):
            out.setdefault(self._syn_to_comp[m.group(0)], m.group(0))
        return out

    def domains_of(self, text: str) -> frozenset[str]:
        """Domain labels (교통, 재난, 관광 …) whose words occur in ``text`` (usually a name)."""
        s = squash(text)
        return frozenset(d for d, words in self.domains.items() if any(w in s for w in words))

    def kind(self, name: str) -> str:
        comp = self.by_name.get(name)
        return comp.kind if comp else "entity"

    def synonyms(self, name: str) -> tuple[str, ...]:
        comp = self.by_name.get(name)
        return (name, *comp.synonyms) if comp else (name,)


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    return Lexicon(json.loads(path.read_text(encoding="utf-8")))
