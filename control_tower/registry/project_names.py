"""How project names are compared: one plan says "포항시 통합 데이터 플랫폼 구축", the budget
sheet "통합 데이터 플랫폼 구축", a meeting note "통합 데이터 플랫폼". Same project means the
documents *name* it; these keys make that test tolerant of spacing, punctuation, the city
prefix and the generic work nouns that Korean project titles end with, and nothing more —
similar work under a different name stays a different project.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CITY_PREFIXES = ("포항시", "포항형", "포항", "우리시", "시")
# generic endings of project titles ("…구축 사업", "…조성", "…도입 계획"); stripped repeatedly
GENERIC_SUFFIXES = (
    "서비스",
    "시스템",
    "사업계획",
    "추진계획",
    "기본계획",
    "시행계획",
    "운영계획",
    "계획",
    "지원사업",
    "사업",
    "구축",
    "조성",
    "도입",
    "추진",
    "운영",
    "확충",
    "확대",
    "보급",
    "고도화",
)
# words many projects share: never enough on their own to say which project a text names
GENERIC_WORDS = frozenset(
    "ai 데이터 빅데이터 플랫폼 시스템 서비스 센터 스마트 통합 지원 운영 구축 사업 관리 체계 시범 "
    "확대 보급 도입 고도화 예측 분석 기반 활용 포항 포항시 2차 신규 계속 정보 디지털 지능형".split()
)
# filler words inside titles that vary between documents of one project ("AI 기반 …")
FILLERS = re.compile(r"(?<!\S)(기반|활용|및)(?!\S)")
_PUNCT = re.compile(r"[\s\"'‘’“”「」『』()（）\[\]·,.\-_/]+")


# a trailing "(2차년도)", "(신규)", "(2차)": the year's slice of a project, not another project
_TRAILING_NOTE = re.compile(r"\s*[(（][^()（）]{1,12}[)）]\s*$")


@lru_cache(maxsize=65536)
def tokens(name: str) -> frozenset[str]:
    """The name's words, without fillers and generic endings (for subset tests)."""
    text = FILLERS.sub(" ", _TRAILING_NOTE.sub("", unicodedata.normalize("NFKC", name or "")))
    words = {squash(w) for w in text.split()}
    return frozenset(w for w in words if w and w not in GENERIC_SUFFIXES and w not in CITY_PREFIXES)


def squash(text: str) -> str:
    """NFKC, lower case, without spaces and punctuation."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "")).lower()


@lru_cache(maxsize=65536)
def core_key(name: str) -> str:
    """The distinctive part of a project name: squashed, without the city prefix and the
    generic endings (``포항시 통합 데이터 플랫폼 구축`` → ``통합데이터플랫폼``)."""
    text = _TRAILING_NOTE.sub("", unicodedata.normalize("NFKC", name or ""))
    key = squash(FILLERS.sub(" ", text))
    for prefix in CITY_PREFIXES:
        if key.startswith(prefix) and len(key) - len(prefix) >= 4:
            key = key[len(prefix) :]
            break
    changed = True
    while changed:
        changed = False
        for suffix in GENERIC_SUFFIXES:
            if key.endswith(suffix) and len(key) - len(suffix) >= 4:
                key = key[: -len(suffix)]
                changed = True
    return key


@lru_cache(maxsize=65536)
def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def name_similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams of the core keys; 1.0 when one core contains
    the other and the shorter is at least 70 % of the longer."""
    ka, kb = core_key(a), core_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    short, long_ = sorted((ka, kb), key=len)
    if short in long_ and len(short) >= 0.6 * len(long_):
        return 1.0
    ba, bb = bigrams(ka), bigrams(kb)
    if not ba or not bb:
        return 0.0
    return 2 * len(ba & bb) / (len(ba) + len(bb))


def same_name(a: str, b: str, threshold: float = 0.85) -> bool:
    return name_similarity(a, b) >= threshold
