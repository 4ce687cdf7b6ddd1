"""Composing the answer: computed facts first, the LLM's words on top, quotes as the fallback.

"Analytics first, the LLM for words": every computed fact becomes a deterministic sentence with
its markers, so sums, counts and budgets are right whatever the model does. The LLM adds a
short explanation from the passages; the citation check then keeps only supported sentences.
When the LLM fails, times out or writes nothing supported, the answer quotes the best passages
(marked as 자동 발췌) instead.
"""

from __future__ import annotations

import math

from control_tower.chat.graph.evidence import Pool
from control_tower.chat.graph.focus import asks_beyond, focus
from control_tower.prompts import load_prompt

NOT_FOUND = (
    "열람 가능한 문서와 사업 정보에서 질문과 관련된 내용을 찾지 못했습니다. "
    "질문을 바꾸거나 사업명·부서명을 구체적으로 적어 주세요."
)
FALLBACK_NOTE = (
    "(자동 발췌: 언어 모델 답변을 쓸 수 없어 관련 문서의 해당 부분을 그대로 인용했습니다.)"
)
# question words that say what is asked, not what about: never a relevance term on their own
_STOP = {
    "사업",
    "예산",
    "사업비",
    "우리",
    "부서",
    "과",
    "얼마",
    "무엇",
    "뭐",
    "내용",
    "관련",
    "문서",
    "포항",
    "포항시",
    "시",
    "경우",
    "때",
    "것",
    "수",
    "정도",
    "기간",
    "언제",
    "현황",
    "계획",
    # what the question is about in the tools' terms, not the documents' ("로드맵의 … 과제")
    "로드맵",
    "중장기",
    "단계",
    "과제",
    "추진",
}


# a noun this long is the question's topic: if no retrieved passage has it, the passages are
# about something else ("메타버스 관광 플랫폼" finds other 관광 and 플랫폼 documents)
TOPIC_CHARS = 3


def question_terms(question: str) -> list[str]:
    from control_tower.ideation.terms import noun_terms_batch

    terms = list(dict.fromkeys(noun_terms_batch([question])[0]))
    # Kiwi adds compounds of adjacent nouns ("교차로사업비"); their parts already count
    parts = [t for t in terms if not any(u != t and u in t for u in terms)]
    return [t for t in parts if t not in _STOP and len(t) >= 2]


def relevant_evidence(terms: list[str], pool: Pool, tools_of: list[str]) -> list[int]:
    """1-based markers of passages that share enough of the question's own terms.

    Why a gate: search always returns its top k, even for a question no document answers;
    without it the model is handed unrelated passages and "answers" anyway. ``tools_of[i]`` is
    the tool that produced evidence i; only search hits are gated (cards were matched by name).
    """
    need = max(1, math.ceil(0.5 * len(terms)))
    texts = [ev.text + " " + ev.title for ev in pool.evidence]
    topic_missing = any(
        len(t) >= TOPIC_CHARS and t.isalpha() and not any(t in x for x in texts) for t in terms
    )
    keep = []
    for i, text in enumerate(texts, start=1):
        if tools_of[i - 1] != "search_documents" or not terms:
            keep.append(i)
        elif not topic_missing and sum(1 for t in terms if t in text) >= need:
            keep.append(i)
    return keep


def fact_sentences(pool: Pool) -> list[str]:
    out = []
    for nf in pool.facts:
        if not nf.fact.sentence:
            continue
        marks = "".join(f"[{n}]" for n in nf.cites[:3])
        text = nf.fact.sentence.rstrip().rstrip(".")
        out.append(f"{text} {marks}." if marks else f"{text}.")
    return out


def extractive(
    pool: Pool, markers: list[int], terms: list[str], limit: int = 2, width: int = 160
) -> list[str]:
    """Quotes of the passages' parts that hold the question's terms."""
    out = []
    for n in markers[:limit]:
        ev = pool.evidence[n - 1]
        quote = focus(ev.text, terms, ev.title, width)
        out.append(f'「{ev.title}」: "{quote}…" [{n}]')
    return out


def detail_quotes(pool: Pool, passages: list[int], terms: list[str], known: str) -> list[str]:
    """A quote of the first passage that answers what the facts do not ("대상 하천은 몇
    개소?" beside the card's budget and period), for answers without the LLM's words."""
    for n in passages:
        ev = pool.evidence[n - 1]
        if asks_beyond(ev.text, terms, ev.title, known):
            return extractive(pool, [n], terms, limit=1)
    return []


def prompt_text(
    settings,  # noqa: ANN001
    question: str,
    terms: list[str],
    pool: Pool,
    markers: list[int],
) -> str:
    width = settings.chat_evidence_chars
    shown = [(n, pool.evidence[n - 1]) for n in markers[:6]]
    evidence = "\n".join(
        f"[{n}] ({e.title}) {focus(e.text, terms, e.title, width)}" for n, e in shown
    )
    facts = "\n".join(
        f"- {nf.fact.label}: {nf.fact.value} " + "".join(f"[{n}]" for n in nf.cites[:3])
        for nf in pool.facts[:8]
    )
    return load_prompt("chat_compose").render(
        question=question, evidence=evidence or "(없음)", facts=facts or "(없음)"
    )
