"""The plain-RAG baseline of the chat evaluation: the retriever's top 5 passages pasted into
one prompt for the same model, the answer streamed back, the 5 passages as its citations.

It is what the chat supervisor is measured against: no routing, no tools, no computed facts,
no citation check. Permissions still hold — the retriever only returns what the asker may read.
"""

from __future__ import annotations

import asyncio
import time

from evals.chat_eval import TurnResult

TOP_K = 5
SYSTEM = (
    "당신은 포항시 행정 문서 도우미입니다. 아래 자료만 근거로 한국어로 간결하게 답하세요. "
    "자료에 답이 없으면 '관련 내용을 찾지 못했습니다'라고 답하세요."
)


def build_prompt(question: str, hits: list) -> str:
    """The question under the numbered passages ``[1]``..``[5]``."""
    blocks = []
    for n, hit in enumerate(hits, 1):
        c = hit.citation
        blocks.append(f"[{n}] {c.title} ({c.department})\n{hit.text.strip()}")
    return "자료:\n" + "\n\n".join(blocks) + f"\n\n질문: {question}\n답변:"


async def ask_rag(settings, retriever, principal, question: str, *, model=None) -> TurnResult:  # noqa: ANN001
    """One baseline answer, timed like a chat turn (no steps: ``first_step_s`` stays None)."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from control_tower.llm.client import chat_model

    t0 = time.perf_counter()
    out = TurnResult()
    hits = await asyncio.to_thread(retriever.search, question, principal, k=TOP_K)  # off the loop
    out.cited = [h.citation.doc_id for h in hits]
    out.cited_text = [h.text for h in hits]
    model = model or chat_model(settings)
    messages = [SystemMessage(SYSTEM), HumanMessage(build_prompt(question, hits))]
    parts: list[str] = []
    try:
        async for chunk in model.astream(messages):
            text = chunk.content if isinstance(chunk.content, str) else ""
            if text and out.first_token_s is None:
                out.first_token_s = round(time.perf_counter() - t0, 3)
            parts.append(text)
    except Exception as exc:  # noqa: BLE001 - a failed call is scored as an error, not a crash
        out.error = f"llm: {exc}"[:300]
    out.answer = "".join(parts)
    out.total_s = round(time.perf_counter() - t0, 3)
    return out
