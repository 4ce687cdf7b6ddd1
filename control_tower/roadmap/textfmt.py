"""Small Korean text helpers shared by the facts, the template text and the document tables.

One formatter for numbers means the fact sheet, the fallback prose and the tables print the
same ``1,250`` / ``12.5`` for the same value, which is what prose validation compares against.
Citation numbers are resolved here once: ``[n]`` is ``structure.sources[n-1]``.
"""

from __future__ import annotations

from control_tower.roadmap.types import Initiative, RoadmapStructure, SourceLink


def fmt_num(value: float) -> str:
    """``1250.0`` → ``1,250``; ``12.50`` → ``12.5`` (at most two decimals, no trailing zeros)."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def fmt_eok(value: float) -> str:
    return f"{fmt_num(value)}억원"


def span(start: int, end: int) -> str:
    return f"{start}년" if start == end else f"{start}~{end}년"


def _has_batchim(word: str) -> bool:
    for ch in reversed(word.strip().rstrip("」』)]\"'")):
        if "가" <= ch <= "힣":
            return (ord(ch) - 0xAC00) % 28 != 0
        if ch.isalnum():
            return ch.lower() in "lmnr0136789"  # read aloud: 엘, 엠, 엔, 알, 영, 일, 삼 …
    return False


def josa(word: str, with_batchim: str, without: str) -> str:
    """``word`` with the particle its last sound needs (과/와, 을/를, 이/가, 은/는, 으로/로)."""
    if with_batchim == "으로":  # ㄹ-final takes 로 as well
        last = next((c for c in reversed(word) if "가" <= c <= "힣"), "")
        if last and (ord(last) - 0xAC00) % 28 == 8:
            return word + without
    return word + (with_batchim if _has_batchim(word) else without)


def particle(word: str, with_batchim: str, without: str) -> str:
    """Only the particle ``josa`` would attach (for words quoted in 「」)."""
    return josa(word, with_batchim, without)[len(word) :]


def _key(link: SourceLink) -> tuple:
    return (link.doc_id or link.path or link.title, link.page, link.section)


def source_number(structure: RoadmapStructure, link: SourceLink) -> int | None:
    """The appendix number of ``link``: same document, page and section, else same document."""
    keys = [_key(s) for s in structure.sources]
    if _key(link) in keys:
        return keys.index(_key(link)) + 1
    doc = link.doc_id or link.path or link.title
    for n, src in enumerate(structure.sources, start=1):
        if doc and (src.doc_id or src.path or src.title) == doc:
            return n
    return None


def initiative_refs(structure: RoadmapStructure, ini: Initiative) -> list[int]:
    refs = [source_number(structure, s) for s in ini.sources]
    return sorted({n for n in refs if n is not None})


def markers(refs: list[int]) -> str:
    return "".join(f"[{n}]" for n in refs)


def ordered_initiatives(structure: RoadmapStructure) -> list[Initiative]:
    """Initiatives in dependency order (``structure.order``), any left over after it."""
    seen = [structure.initiative(i) for i in structure.order]
    out = [i for i in seen if i is not None]
    return out + [i for i in structure.initiatives if i not in out]


def titles(structure: RoadmapStructure, ids: list[str]) -> list[str]:
    return [ini.title for i in ids if (ini := structure.initiative(i)) is not None]
