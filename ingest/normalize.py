"""Korean text hygiene applied to every parsed document before chunking.

- NFC: NFD Hangul (macOS file names, some PDF producers) halves search recall.
- Hancom / symbol-font private-use characters: HWP documents set bullets and enumerators in
  Hancom's own fonts, which land in Unicode private-use areas; a search index cannot match
  them and an LLM sees noise. Known ones are mapped to standard characters (table below, built
  from the characters found in the shared HWP corpora plus the Wingdings/Symbol code points
  Office documents carry at U+F020–U+F0FF); unknown private-use characters are dropped.
- Control characters are removed (``\\n`` and ``\\t`` kept), invisible format characters too.
- Whitespace: exotic spaces → space, runs of spaces collapsed, trailing spaces stripped, at
  most one blank line in a row.
- Titles (``clean_title``) additionally lose zero-width and bidirectional control characters
  (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+FEFF, …) and become one line: a title is
  shown in result lists and citations, where a right-to-left override can make
  "보고서\u202eexe.hwp" read as another name and a zero-width space makes two equal-looking
  titles differ.
"""

from __future__ import annotations

import re
import unicodedata

from control_tower.domain import ParsedDocument

# Private-use code point → standard text. Why each entry exists is noted where it's not obvious.
PUA_MAP: dict[int, str] = {
    # Hancom: the "한" of "한글" in Hancom's own placeholder/logo text.
    0xF53A: "한",
    # Hancom: middle dot used between coordinated nouns ("국가·지방자치단체") in NTS rulings.
    0xF85E: "·",
    # Symbol font (Office bullets): 0xB7 is the bullet of nearly every Word bulleted list.
    0xF0B7: "•",
    # Wingdings bullets/markers common in Korean government Word/HWP files.
    0xF06C: "●",
    0xF06D: "❍",
    0xF06E: "■",
    0xF06F: "□",
    0xF070: "□",
    0xF071: "❑",
    0xF072: "❒",
    0xF075: "◆",
    0xF076: "❖",
    0xF09F: "•",
    0xF0A1: "○",
    0xF0A7: "▪",
    0xF0A8: "◻",
    0xF0D8: "➢",
    0xF0E0: "→",
    0xF0E8: "➔",
    0xF0F0: "⇨",
    0xF0FC: "✓",
    0xF0FE: "☑",
    0xF020: " ",
}
# Hancom plane-15 enumerators: U+F02B1… are the filled circled numbers ❶❷❸… Hancom uses for
# numbered items ("󰊱 대국민 소통 일상화 …", "󰊲 …" in the shared HWPX fixtures).
PUA_MAP.update({0xF02B1 + i: chr(0x2776 + i) for i in range(10)})

_CONTROL = {c for c in range(0x20) if chr(c) not in "\n\t"} | set(range(0x7F, 0xA0))
# Invisible format characters that split words for search: ZWSP, word joiner, BOM, soft hyphen.
_INVISIBLE = {0x200B, 0x2060, 0xFEFF, 0x00AD, 0x180E}
_SPACES = {0x00A0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007}
_SPACES |= {0x2008, 0x2009, 0x200A, 0x202F, 0x205F, 0x3000}

_TRANSLATE: dict[int, str | None] = {c: None for c in _CONTROL | _INVISIBLE}
_TRANSLATE.update({c: " " for c in _SPACES})
_TRANSLATE.update({0x0B: "\n", 0x0C: "\n", 0x2028: "\n", 0x2029: "\n"})
_TRANSLATE.update(PUA_MAP)

# Zero-width, bidi embedding/override/isolate and mark characters: never meaningful in a title.
_TITLE_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u2060\u00ad\u180e]")
_RUN_OF_SPACES = re.compile(r" {2,}")
_TRAILING = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def _is_private_use(ch: str) -> bool:
    o = ord(ch)
    return 0xE000 <= o <= 0xF8FF or 0xF0000 <= o <= 0x10FFFD


def _is_surrogate(ch: str) -> bool:
    return 0xD800 <= ord(ch) <= 0xDFFF


def normalize_text(s: str) -> str:
    """Clean one piece of text (see module doc). Idempotent."""
    if not s:
        return ""
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = s.translate(_TRANSLATE)
    if any(_is_private_use(c) or _is_surrogate(c) for c in s):
        s = "".join(c for c in s if not (_is_private_use(c) or _is_surrogate(c)))
    s = unicodedata.normalize("NFC", s)
    s = _RUN_OF_SPACES.sub(" ", s)
    s = _TRAILING.sub("\n", s)
    s = _BLANK_LINES.sub("\n\n", s)
    return "\n".join(line.strip(" ") for line in s.split("\n")).strip()


def strip_invisible(text: str) -> str:
    """``text`` without zero-width and bidirectional control characters (see module doc)."""
    return _TITLE_INVISIBLE.sub("", text or "")


def clean_title(text: str | None) -> str:
    """A title as people should see it: normalized, invisible characters removed, one line
    ("" when nothing visible is left, so callers fall back to the next candidate)."""
    return " ".join(normalize_text(strip_invisible(text or "")).split())


def normalize_document(doc: ParsedDocument) -> ParsedDocument:
    """Normalize every block (dropping blocks left empty) and the title; provenance untouched."""
    blocks = []
    for b in doc.blocks:
        text = normalize_text(b.text)
        if text:
            blocks.append(b.model_copy(update={"text": text}))
    title = clean_title(doc.title) if doc.title else None
    return doc.model_copy(update={"blocks": blocks, "title": title or None})
