"""One turn's answer: pool the evidence, gate it, compose, check, renumber, cite.

Order of the answer: the computed facts' sentences (always right), then the LLM's checked
sentences, or — when the LLM is off, failed, timed out or wrote nothing supported — quotes of the
best passages, marked as 자동 발췌. Nothing relevant at all: the Korean "not found" answer.
Markers are renumbered 1..k in order of first use, and only cited passages are sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from control_tower.chat.graph.check import MARKER, check_answer, used_markers
from control_tower.chat.graph.compose import (
    FALLBACK_NOTE,
    NOT_FOUND,
    detail_quotes,
    extractive,
    fact_sentences,
    prompt_text,
    question_terms,
    relevant_evidence,
)
from control_tower.chat.graph.evidence import Pool, citation, fill_chunk_ids, pool_of
from control_tower.chat.graph.state import Context
from control_tower.chat.types import ChatAnswer, ToolResult

log = logging.getLogger(__name__)


def _gated(terms: list[str], results: list[ToolResult]) -> tuple[Pool, list[int], list[int]]:
    """The pool, its relevant markers, and which of those are search passages."""
    pool = pool_of(results)
    tools_of: list[str] = []
    seen: set = set()
    for r in results:
        for ev in r.evidence if r.ok else []:
            if ev.key() not in seen:
                seen.add(ev.key())
                tools_of.append(r.tool)
    markers = relevant_evidence(terms, pool, tools_of)
    return pool, markers, [n for n in markers if tools_of[n - 1] == "search_documents"]


async def _llm_sentences(question, terms, pool, markers, ctx: Context, emit):  # noqa: ANN001, ANN202
    """(kept, flagged) sentences of the model's answer; None when there is no usable answer."""
    settings = ctx.tools.settings
    if ctx.model_factory is None or not settings.chat_use_llm or not markers:
        return None
    text = prompt_text(settings, question, terms, pool, markers)
    parts: list[str] = []

    async def stream() -> None:
        model = ctx.model_factory()
        async for chunk in model.astream(text, max_tokens=settings.chat_answer_max_tokens):
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                parts.append(piece)
                emit("token", text=piece)

    try:
        await asyncio.wait_for(stream(), settings.chat_llm_timeout_s)
    except Exception as exc:  # noqa: BLE001 - timeout, server down, garbage: fall back
        log.info("chat compose failed (%s); extractive answer", type(exc).__name__)
        return None
    allowed = set(markers)  # a gated-out passage is not citable either
    kept, flagged = check_answer("".join(parts), pool)
    good = [s for s in kept if {int(n) for n in MARKER.findall(s)} <= allowed]
    return good, flagged + [s for s in kept if s not in good]


def _renumber(text: str, pool: Pool) -> tuple[str, list]:
    order = used_markers(text)
    new = {old: i for i, old in enumerate(order, start=1)}
    text = MARKER.sub(lambda m: f"[{new.get(int(m.group(1)), 0)}]", text)
    return text, [citation(new[o], pool.evidence[o - 1]) for o in order]


async def compose_answer(
    question: str, results: list[ToolResult], ctx: Context, emit: Callable
) -> tuple[dict, list[str]]:
    terms = question_terms(question)  # Kiwi once per turn: the gate, the prompt, the quotes
    pool, markers, passages = _gated(terms, results)
    facts = fact_sentences(pool)
    notes = _tool_notes(results)
    if not facts and not markers:
        text = NOT_FOUND + notes
        emit("token", text=text)
        return ChatAnswer(conversation_id="", answer=text, not_found=True).model_dump(), []
    for s in facts:
        emit("token", text=s + " ")
    llm, flagged = await _llm_sentences(question, terms, pool, markers, ctx, emit) or ([], [])
    # a fact sentence without evidence the caller may read is dropped like any other
    _, unsupported = check_answer(" ".join(facts), pool)
    flagged += unsupported
    kept = [s for s in facts if s not in unsupported] + llm
    fallback = not kept
    if kept and not llm:  # facts alone may not answer what was asked: quote the detail
        extra = detail_quotes(pool, passages, terms, " ".join(kept))
        kept, fallback = kept + extra, bool(extra)
    if not kept:
        kept, fallback = extractive(pool, markers, terms), True
    if not kept:  # nothing citable survived: say so rather than answer empty
        text = NOT_FOUND + notes
        emit("token", text=text)
        answer = ChatAnswer(conversation_id="", answer=text, not_found=True, flagged=flagged)
        return answer.model_dump(), []
    text = " ".join(kept)
    if fallback:
        text += "\n\n" + FALLBACK_NOTE
    text += notes
    tools = ctx.tools
    fill_chunk_ids(pool, tools.store, getattr(tools.retriever, "index", None))
    text, cites = _renumber(text, pool)
    for c in cites:
        emit("citation", **c.model_dump())
    card_ids = _card_ids(results)
    answer = ChatAnswer(
        conversation_id="", answer=text, citations=cites, fallback=fallback, flagged=flagged
    )
    return answer.model_dump(), card_ids


def _tool_notes(results: list[ToolResult]) -> str:
    """Why a tool could not help ("로드맵은 부서장·…만 볼 수 있습니다"), after the answer: the
    tools' own Korean messages, not claims about documents, so they carry no citation."""
    seen = list(dict.fromkeys(r.error for r in results if not r.ok and r.error))[:2]
    return "".join(f"\n\n(참고: {e})" for e in seen)


def _card_ids(results: list[ToolResult]) -> list[str]:
    """Cards this turn was about (for "그 사업…" follow-ups): any card id in the tools' data."""
    ids: list[str] = []

    def walk(value, key: str = "") -> None:  # noqa: ANN001
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in ("card_id", "card_ids", "other_card_id"):
            if value not in ids:
                ids.append(value)

    for r in results:
        walk(r.data)
    return ids[:10]
