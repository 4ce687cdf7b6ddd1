"""People's conversations with the assistant (tables ``chat_conversations``/``chat_turns``).

Every call names the caller (``owner``); a conversation of someone else is reported exactly
like one that does not exist (``ConversationNotFound``, 404), so nobody can learn that another
person's conversation exists. A conversation's id is also its LangGraph thread id, so deleting
it deletes the supervisor's checkpoints too.
"""

from __future__ import annotations

import secrets
from datetime import UTC

from sqlalchemy import delete, select, update

from control_tower.chat.checkpoint import StoreCheckpointSaver
from control_tower.chat.types import ChatAnswer, Conversation, Turn
from control_tower.domain import now
from control_tower.names import clean_text
from control_tower.store.models import ChatConversationRow, ChatTurnRow

MAX_TITLE = 100
DEFAULT_TITLE_CHARS = 40
UNTITLED = "새 대화"
FIND_LIMIT = 50  # recent conversations searched for a resent history


class ConversationNotFound(LookupError):
    """No such conversation for this caller (missing, or someone else's)."""

    code = "conversation_not_found"

    def __init__(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        self.message_ko = "대화를 찾을 수 없습니다."
        super().__init__(self.message_ko)


class ConversationError(ValueError):
    """A request that cannot be carried out; ``message_ko`` is for people."""

    def __init__(self, code: str, message_ko: str) -> None:
        self.code, self.message_ko = code, message_ko
        super().__init__(message_ko)


def clean_title(title: str | None) -> str:
    """One line, no invisible characters, at most ``MAX_TITLE`` characters; '' when empty."""
    text = " ".join(clean_text(" ".join((title or "").split())).split())  # \n is a space
    return text[:MAX_TITLE].rstrip()


def default_title(question: str) -> str:
    """A conversation's title until someone renames it: its first question, cut to 40."""
    text = clean_title(question)
    if len(text) > DEFAULT_TITLE_CHARS:
        text = text[: DEFAULT_TITLE_CHARS - 1].rstrip() + "…"
    return text or UNTITLED


def _conversation(row: ChatConversationRow) -> Conversation:
    return Conversation(
        id=row.id,
        owner=row.owner,
        title=row.title or UNTITLED,
        created_at=row.created_at.astimezone(UTC).isoformat(),
        updated_at=row.updated_at.astimezone(UTC).isoformat(),
        turns=row.turns,
    )


class ConversationRepo:
    """Conversations of ``store``; ``saver`` holds their threads' checkpoints."""

    def __init__(self, store, saver: StoreCheckpointSaver | None = None) -> None:  # noqa: ANN001
        self.store = store
        self.saver = saver or StoreCheckpointSaver(store)

    def create(self, owner: str, title: str | None = None) -> Conversation:
        """A new, empty conversation; without a title, its first question will name it."""
        t = now()
        row = ChatConversationRow(
            id=secrets.token_hex(8),
            owner=owner,
            title=clean_title(title),
            created_at=t,
            updated_at=t,
            turns=0,
            last_answer=None,
        )
        with self.store.begin() as s:
            s.add(row)
        return _conversation(row)

    def get(self, owner: str, conversation_id: str) -> Conversation:
        with self.store.session() as s:
            return _conversation(self._own(s, owner, conversation_id))

    def list(self, owner: str) -> list[Conversation]:
        """The caller's conversations, most recently active first."""
        q = (
            select(ChatConversationRow)
            .where(ChatConversationRow.owner == owner)
            .order_by(ChatConversationRow.updated_at.desc(), ChatConversationRow.id)
        )
        with self.store.session() as s:
            return [_conversation(r) for r in s.scalars(q)]

    def rename(self, owner: str, conversation_id: str, title: str) -> Conversation:
        cleaned = clean_title(title)
        if not cleaned:
            raise ConversationError("bad_title", "대화 제목이 비어 있습니다. 제목을 입력하세요.")
        with self.store.begin() as s:
            row = self._own(s, owner, conversation_id)
            row.title = cleaned
            row.updated_at = now()
            return _conversation(row)

    def delete(self, owner: str, conversation_id: str) -> None:
        """The conversation, its turns and its thread's checkpoints."""
        with self.store.begin() as s:
            self._own(s, owner, conversation_id)
            s.execute(delete(ChatTurnRow).where(ChatTurnRow.conversation_id == conversation_id))
            s.execute(delete(ChatConversationRow).where(ChatConversationRow.id == conversation_id))
        self.saver.delete_thread(conversation_id)

    def add_turn(
        self, owner: str, conversation_id: str, question: str, answer: ChatAnswer
    ) -> Conversation:
        """Append a question and its answer; an untitled conversation takes its title here.

        The counter is bumped by the transaction's first statement, so two answers arriving at
        once queue on the row (PostgreSQL) or the write lock (SQLite) and get distinct indexes.
        """
        t = now()
        dumped = answer.model_dump(mode="json")
        bump = (
            update(ChatConversationRow)
            .where(ChatConversationRow.id == conversation_id, ChatConversationRow.owner == owner)
            .values(turns=ChatConversationRow.turns + 1, updated_at=t, last_answer=dumped)
            .execution_options(synchronize_session=False)
        )
        with self.store.begin() as s:
            if s.execute(bump).rowcount != 1:
                raise ConversationNotFound(conversation_id)
            row = self._own(s, owner, conversation_id)
            if not row.title:
                row.title = default_title(question)
            idx = row.turns - 1
            s.add(
                ChatTurnRow(conversation_id=row.id, idx=idx, question=question, answer=dumped, at=t)
            )
            return _conversation(row)

    def turns(self, owner: str, conversation_id: str) -> list[Turn]:
        q = (
            select(ChatTurnRow)
            .where(ChatTurnRow.conversation_id == conversation_id)
            .order_by(ChatTurnRow.idx)
        )
        with self.store.session() as s:
            self._own(s, owner, conversation_id)
            return [
                Turn(
                    question=r.question,
                    answer=ChatAnswer.model_validate(r.answer),
                    at=r.at.astimezone(UTC).isoformat(),
                )
                for r in s.scalars(q)
            ]

    def find_by_questions(self, owner: str, questions: list[str]) -> str | None:
        """The owner's most recent conversation whose questions so far are exactly
        ``questions``, in order: how a stateless client that resends the whole history
        (OpenAI's API, Open WebUI) continues its server-side conversation."""
        if not questions:
            return None
        candidates = (
            select(ChatConversationRow.id)
            .where(ChatConversationRow.owner == owner, ChatConversationRow.turns == len(questions))
            .order_by(ChatConversationRow.updated_at.desc())
            .limit(FIND_LIMIT)
        )
        with self.store.session() as s:
            for cid in s.scalars(candidates).all():
                asked = s.scalars(
                    select(ChatTurnRow.question)
                    .where(ChatTurnRow.conversation_id == cid)
                    .order_by(ChatTurnRow.idx)
                ).all()
                if list(asked) == questions:
                    return cid
        return None

    def last_answer(self, owner: str, conversation_id: str) -> ChatAnswer | None:
        with self.store.session() as s:
            row = self._own(s, owner, conversation_id)
            return ChatAnswer.model_validate(row.last_answer) if row.last_answer else None

    @staticmethod
    def _own(s, owner: str, conversation_id: str) -> ChatConversationRow:  # noqa: ANN001
        row = s.get(ChatConversationRow, conversation_id)
        if row is None or row.owner != owner:
            raise ConversationNotFound(conversation_id)
        return row


__all__ = [
    "ConversationError",
    "ConversationNotFound",
    "ConversationRepo",
    "clean_title",
    "default_title",
]
