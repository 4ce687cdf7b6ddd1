"""The chat service: one turn of the supervisor graph, streamed as events, for every surface.

The SSE API, the OpenAI-compatible endpoint, MCP, the web page and ``ct chat`` all call
``ChatService.astream`` (or ``aask``), so a turn is validated, permission-scoped, persisted and
audited the same way everywhere. A client that stops reading closes the generator, which
cancels the graph run (and with it the LLM stream).
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from control_tower.chat.graph.build import build_graph
from control_tower.chat.graph.state import Context
from control_tower.chat.tools.base import ToolContext
from control_tower.chat.types import ChatAnswer, ChatEvent
from control_tower.domain import Principal
from control_tower.settings import Settings

MAX_QUESTION_CHARS = 4000
log = logging.getLogger(__name__)


class ChatError(Exception):
    def __init__(self, code: str, message_ko: str, status: int = 400):
        super().__init__(message_ko)
        self.code, self.message_ko, self.status = code, message_ko, status


def owner_of(principal: Principal) -> str:
    return principal.username or "anonymous"


def clean_question(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\x00", "").strip()
    if not text:
        raise ChatError("empty_question", "질문을 입력해 주세요.")
    if len(text) > MAX_QUESTION_CHARS:
        raise ChatError(
            "question_too_long", f"질문이 너무 깁니다({MAX_QUESTION_CHARS:,}자 이하로 줄여 주세요)."
        )
    return text


def _cleaned(text: str) -> str:
    """An earlier question as it was stored, or "" if it could not have been asked."""
    try:
        return clean_question(text)
    except ChatError:
        return ""


class ChatService:
    def __init__(
        self,
        settings: Settings,
        store,  # noqa: ANN001 - control_tower.store.Store
        retriever,  # noqa: ANN001 - control_tower.retrieval.Retriever
        *,
        model_factory: Callable[[], Any] | None = None,
        checkpointer=None,  # noqa: ANN001 - a LangGraph BaseCheckpointSaver
        conversations=None,  # noqa: ANN001 - control_tower.chat.conversations.ConversationRepo
        tools: list | None = None,  # Tool instances; default: control_tower.chat.tools.all_tools()
    ):
        from control_tower.chat.checkpoint import StoreCheckpointSaver
        from control_tower.chat.conversations import ConversationRepo

        self.settings, self.store, self.retriever = settings, store, retriever
        self.model_factory = model_factory
        self.checkpointer = checkpointer or StoreCheckpointSaver(store)
        self.conversations = conversations or ConversationRepo(store, self.checkpointer)
        if tools is None:
            from control_tower.chat.tools import all_tools

            tools = all_tools()
        self.toolbox = {t.name: t for t in tools}
        self.graph = build_graph(self.checkpointer)

    def _context(self, principal: Principal, surface: str) -> Context:
        from control_tower.accounts.departments import list_departments
        from control_tower.registry.service import list_cards

        tools = ToolContext(self.settings, self.store, self.retriever, principal, surface=surface)
        return Context(
            tools=tools,
            toolbox=self.toolbox,
            model_factory=self.model_factory if self.settings.chat_use_llm else None,
            cards=list_cards(self.store, principal),
            departments=[d.name for d in list_departments(self.store)],
        )

    def open(
        self,
        principal: Principal,
        question: str,
        conversation_id: str | None,
        earlier: Sequence[str] = (),
    ) -> str:
        """Validate the turn and return its conversation id: the given one, else the caller's
        conversation whose questions were exactly ``earlier`` (a client resending its history),
        else a new one. Raises ChatError before anything streams, so an API can answer
        400/404 plainly."""
        question = clean_question(question)
        owner = owner_of(principal)
        if conversation_id:
            self.conversations.get(owner, conversation_id)  # NotFound -> 404
            return conversation_id
        asked = [_cleaned(q) for q in earlier]
        found = self.conversations.find_by_questions(owner, asked) if all(asked) else None
        return found or self.conversations.create(owner, question[:40]).id

    async def astream(
        self,
        principal: Principal,
        question: str,
        *,
        conversation_id: str | None = None,
        surface: str = "api",
    ) -> AsyncIterator[dict]:
        """``ChatEvent`` dicts: conversation, step…, token…, citation…, then done (or error)."""
        question = clean_question(question)
        cid = self.open(principal, question, conversation_id)
        yield ChatEvent(type="conversation", data={"conversation_id": cid}).model_dump()
        started = time.perf_counter()
        config = {"configurable": {"thread_id": cid}}
        final: dict = {}
        try:
            context = self._context(principal, surface)
            async for mode, chunk in self.graph.astream(
                {"question": question},
                config=config,
                context=context,
                stream_mode=["custom", "values"],
            ):
                if mode == "custom":
                    yield chunk
                else:
                    final = chunk
        except Exception as exc:  # noqa: BLE001 - any failure ends the turn with a Korean error
            yield _error(exc)
            return
        answer = ChatAnswer.model_validate(
            final.get("answer") or {"conversation_id": cid, "answer": ""}
        )
        answer.conversation_id = cid
        self.conversations.add_turn(owner_of(principal), cid, question, answer)
        self._audit(principal, surface, question, answer, time.perf_counter() - started)
        yield ChatEvent(type="done", data=answer.model_dump()).model_dump()

    async def aask(self, principal: Principal, question: str, **kw: Any) -> ChatAnswer:
        """One whole turn; raises ChatError on an ``error`` event."""
        async for event in self.astream(principal, question, **kw):
            if event["type"] == "done":
                return ChatAnswer.model_validate(event["data"])
            if event["type"] == "error":
                raise ChatError(event["data"]["code"], event["data"]["message"], 500)
        raise ChatError("no_answer", "답변을 만들지 못했습니다.", 500)

    def _audit(self, principal, surface, question, answer: ChatAnswer, seconds) -> None:  # noqa: ANN001
        from control_tower.audit import AuditLog

        AuditLog(self.store).record(
            principal,
            "chat.turn",
            surface=surface,
            target=question[:200],
            conversation=answer.conversation_id,
            tools=[s.tool for s in answer.steps],
            cited=[c.doc_id for c in answer.citations],
            not_found=answer.not_found,
            fallback=answer.fallback,
            seconds=round(seconds, 3),
        )


def _error(exc: BaseException) -> dict:
    from control_tower.chat.tools.base import ToolError
    from control_tower.llm.errors import LLMError

    if isinstance(exc, ChatError):
        code, message = exc.code, exc.message_ko
    elif isinstance(exc, ToolError):
        code, message = exc.code, exc.message_ko
    elif isinstance(exc, LLMError):
        code, message = "llm_error", str(exc)
    else:
        code, message = (
            "chat_failed",
            "답변을 만드는 중 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.",
        )
    return ChatEvent(type="error", data={"code": code, "message": message}).model_dump()


def default_model_factory(settings: Settings) -> Callable[[], Any]:
    """The configured LLM endpoint, with the chat turn's own timeout and no client retries
    (a retry would double the wait before the extractive fallback)."""
    from control_tower.llm.client import chat_model

    def make() -> Any:
        return chat_model(settings, timeout=settings.chat_llm_timeout_s, max_retries=0)

    return make
