"""Korean particles: the one place that knows 과/와, 을/를, 이/가, 은/는, 으로/로.

Generated Korean sentences (link rationales, review reasons, roadmap template text) put a
particle after names they do not know in advance; the particle depends on the name's last
sound, read aloud for Latin letters and digits (``AI``→에이아이, ``3``→삼).
"""

from __future__ import annotations


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
