"""Stored answers are re-checked every time they are shown, not only when they were composed.

Access may be narrowed, a document deleted or a roadmap redrafted after a turn; an answer that
cites anything the caller may no longer read is replaced by a Korean notice, whole — a partial
answer with its citations removed would still carry the facts it took from them.
"""

from __future__ import annotations

from control_tower.chat.graph.evidence import may_read_cited
from control_tower.chat.types import ChatAnswer, Turn
from control_tower.domain import Principal

HIDDEN = (
    "이 답변이 인용한 문서 중 지금은 볼 수 없는 문서가 있어 답변을 표시하지 않습니다. "
    "같은 질문을 다시 하면 지금 볼 수 있는 문서로 답합니다."
)


def recheck_turn(store, principal: Principal, turn: Turn) -> Turn:  # noqa: ANN001
    """``turn`` as ``principal`` may see it now: unchanged, or its answer hidden."""
    for doc_id in {c.doc_id for c in turn.answer.citations}:
        if not may_read_cited(store, principal, doc_id):
            hidden = ChatAnswer(conversation_id=turn.answer.conversation_id, answer=HIDDEN)
            return turn.model_copy(update={"answer": hidden})
    return turn
