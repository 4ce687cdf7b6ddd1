"""Checks on LLM section prose before it is accepted; each problem is one Korean sentence.

The model writes words only: any number it prints must already be in the section's facts
(compared after normalizing ``1,250`` / ``12.50`` / ``2026년``), every ``[n]`` must be a
source the facts cite, and the text must be Korean, bounded and free of the loops small
models fall into. An empty list means the prose passed.
"""

from __future__ import annotations

import re
from collections import Counter

from control_tower.roadmap.facts import SectionFacts

MIN_CHARS, MAX_CHARS = 40, 1200
MIN_HANGUL_SHARE = 0.6
LOOP_NGRAM = 12  # the same run of this many words twice is a loop, not style
MIN_DISTINCT_4GRAMS = 0.6  # a loop makes most 4-word runs repeats; listing style does not
MARKERS = re.compile(r"\[\s*(\d+(?:\s*[,，]\s*\d+)*)\s*\]")
NUMBER = re.compile(r"(?<![\d.,])\d(?:[\d,]*\d)?(?:\.\d+)?")
FOREIGN = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uf900-\ufaff]")  # kana, CJK ideographs
SCHEMA_WORDS = re.compile(r"paragraphs|maxLength|minItems|maxItems|\"type\"|[{}]")
CHAR_LOOP = re.compile(r"(.{3,30}?)\1{2,}", re.S)
SENTENCE_END = re.compile(r"다\s*(?:\[[\d,\s]+\]\s*)*[.。]?\s*(?:\[[\d,\s]+\]\s*)*$")
IMPERATIVE = re.compile(r"(?:하|쓰|마|주|으)세요|하십시오|문단입니다|첫째 문단|둘째 문단")
COPY_CHARS = 60  # a run this long taken verbatim from the fact sheet is an echo, not prose
COPY_INSTRUCTION_CHARS = 20  # the section's instruction is never prose material


def normalize_number(token: str) -> str:
    """``1,250`` → ``1250``; ``12.50`` → ``12.5``; ``80.0`` → ``80``."""
    plain = token.replace(",", "")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain.lstrip("0") or "0"


def strip_markers(text: str) -> str:
    return MARKERS.sub(" ", text)


def numbers_in(text: str) -> set[str]:
    """Every number in ``text`` except citation markers, normalized."""
    return {normalize_number(m.group()) for m in NUMBER.finditer(strip_markers(text))}


def cited(text: str) -> list[int]:
    return [int(n) for group in MARKERS.findall(text) for n in re.split(r"[,，]", group)]


def _loop_problems(text: str) -> list[str]:
    words = strip_markers(text).split()
    grams = Counter(tuple(words[i : i + LOOP_NGRAM]) for i in range(len(words) - LOOP_NGRAM + 1))
    fours = [tuple(words[i : i + 4]) for i in range(len(words) - 3)]
    out = []
    if any(c >= 2 for c in grams.values()) or (
        len(fours) >= 10 and len(set(fours)) / len(fours) < MIN_DISTINCT_4GRAMS
    ):
        out.append("같은 구절이 되풀이됩니다(반복 생성).")
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.strip()) >= 10]
    if len(sentences) != len(set(sentences)):
        out.append("같은 문장이 두 번 이상 나옵니다.")
    if any(words[i] == words[i + 1] == words[i + 2] for i in range(len(words) - 2)):
        out.append("같은 낱말이 연달아 반복됩니다.")
    elif CHAR_LOOP.search(text.replace(" ", "")):
        out.append("같은 글자열이 연달아 반복됩니다.")
    return out


def _copies(text: str, source: str, size: int) -> bool:
    windows = {source[i : i + size] for i in range(len(source) - size + 1)}
    return any(text[i : i + size] in windows for i in range(len(text) - size + 1))


def _echo_problems(body: str, facts: SectionFacts, avoid: str) -> list[str]:
    out = []
    paras = [p.strip() for p in body.split("\n\n") if p.strip()]
    if IMPERATIVE.search(body):
        out.append("문안 대신 작성 지시문을 옮겼습니다.")
    if any(not SENTENCE_END.search(p) for p in paras):
        out.append("문단이 완결된 문장(~다.)으로 끝나지 않습니다(목록이나 제목을 옮긴 듯합니다).")
    text = strip_markers(body)
    if _copies(text, strip_markers(facts.text), COPY_CHARS):
        out.append(f"사실 자료를 {COPY_CHARS}자 넘게 그대로 옮겼습니다.")
    if avoid and _copies(text, avoid, COPY_INSTRUCTION_CHARS):
        out.append("작성 지시문을 문안에 그대로 옮겼습니다.")
    return out


def validate_prose(text: str, facts: SectionFacts, *, avoid: str = "") -> list[str]:
    """Korean problems with ``text`` as the prose of ``facts.key``; empty when it is fine.
    ``avoid`` is text the prose must not copy (the section's instruction)."""
    body = text.strip()
    if not body:
        return ["문안이 비어 있습니다."]
    problems = []
    if len(body) < MIN_CHARS:
        problems.append(f"문안이 너무 짧습니다({len(body)}자, 최소 {MIN_CHARS}자).")
    if len(body) > MAX_CHARS:
        problems.append(f"문안이 너무 깁니다({len(body)}자, 최대 {MAX_CHARS}자).")
    if SCHEMA_WORDS.search(body):
        problems.append("문안 대신 JSON이나 스키마 내용을 그대로 옮겼습니다.")
    letters = [c for c in body if c.isalpha()]
    hangul = sum("가" <= c <= "힣" for c in letters)
    if letters and hangul / len(letters) < MIN_HANGUL_SHARE:
        problems.append(f"한국어 비율이 낮습니다(한글 {hangul * 100 // len(letters)}%).")
    foreign = sorted(set(FOREIGN.findall(body)) - set(FOREIGN.findall(facts.text)))
    if foreign:
        problems.append(f"한자·일본어 문자가 섞여 있습니다: {''.join(foreign[:10])}")
    invented = sorted(numbers_in(body) - numbers_in(facts.text), key=lambda n: (len(n), n))
    if invented:
        problems.append(f"사실 자료에 없는 숫자를 썼습니다: {', '.join(invented[:10])}")
    allowed = set(facts.citations)
    wrong = sorted({n for n in cited(body) if n not in allowed})
    if wrong:
        ok = ", ".join(f"[{n}]" for n in sorted(allowed)) or "없음"
        bad = ", ".join(f"[{n}]" for n in wrong)
        problems.append(f"이 절에서 쓸 수 없는 출처 번호입니다: {bad} (허용: {ok})")
    return problems + _echo_problems(body, facts, avoid) + _loop_problems(body)
