"""Chat API: one assistant turn as Server-Sent Events, and the caller's conversations.

- ``POST   /api/v1/chat``                    {"message", "conversation_id"?} → SSE, see below
- ``GET    /api/v1/conversations``           the caller's conversations, most recent first
- ``GET    /api/v1/conversations/{id}``      one conversation with its turns
- ``PATCH  /api/v1/conversations/{id}``      {"title"} — rename
- ``DELETE /api/v1/conversations/{id}``      the conversation, its turns and checkpoints

Someone else's conversation is 404 exactly like a missing one (never 403), so ids cannot be
probed. SSE events: ``event:`` is the ChatEvent type — ``conversation`` (first), ``step``,
``token``, ``citation``, then ``done`` (a ChatAnswer: the checked answer, which replaces the
streamed tokens) or ``error`` ({"code", "message"} Korean). ``data:`` is the event's JSON.
The turn is validated before the stream starts, so an empty question is a plain JSON 400.
A client that disconnects cancels the turn (the graph run and its LLM stream).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from control_tower.chat.conversations import ConversationError, ConversationNotFound
from control_tower.chat.recheck import recheck_turn
from control_tower.chat.service import ChatError, owner_of
from control_tower.chat.types import ChatEvent, Conversation, Turn
from control_tower.domain import Principal
from serving.auth import auth_context, require_user
from serving.errors import ERROR_RESPONSES, api_error

log = logging.getLogger(__name__)
CLOSE_WAIT_S = 5.0
FAILED = ChatEvent(
    type="error",
    data={
        "code": "chat_failed",
        "message": "답변을 만드는 중 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.",
    },
).model_dump()
router = APIRouter(prefix="/api/v1", tags=["chat"], responses=ERROR_RESPONSES)


class ChatRequest(BaseModel):
    message: str = Field(..., description="질문")
    conversation_id: str | None = Field(None, description="이어서 물을 대화 (없으면 새 대화)")


class RenameRequest(BaseModel):
    title: str = Field(..., description="새 대화 제목")


class ConversationDetail(BaseModel):
    conversation: Conversation
    turns: list[Turn]


def _chat(request: Request):
    return request.app.state.services.chat


def _open(request: Request, principal: Principal, body: ChatRequest) -> str:
    try:
        return _chat(request).open(principal, body.message, body.conversation_id)
    except ChatError as e:
        raise api_error(e.status, e.code, e.message_ko) from None
    except ConversationNotFound as e:
        raise api_error(404, e.code, e.message_ko) from None


def sse_event(event: dict) -> dict:
    """A ChatEvent dict as sse-starlette's ``{"event", "data"}``."""
    return {"event": event["type"], "data": json.dumps(event["data"], ensure_ascii=False)}


@router.post(
    "/chat",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "답변 (SSE)"}},
)
async def chat(body: ChatRequest, request: Request, principal: Principal = Depends(require_user)):
    service = await run_in_threadpool(_chat, request)  # first use builds the service
    cid = await run_in_threadpool(_open, request, principal, body)  # 400/404 before streaming
    # the AI 비서 page posts here with its login session; scripts come with an API key
    surface = "api" if auth_context(request).method == "api_key" else "web"

    async def events():
        turn = service.astream(principal, body.message, conversation_id=cid, surface=surface)
        async for event in detached(turn):
            yield sse_event(event)

    return EventSourceResponse(events(), ping=15)


async def detached(turn: AsyncIterator[dict]) -> AsyncIterator[dict]:
    """The turn's events, run in a task of its own that is cancelled when this generator is
    closed or cancelled (the client went away).

    Why a task: sse-starlette cancels through an anyio cancel scope, which re-cancels every
    await inside it — including the graph's own cleanup, leaving the LLM stream running.
    A plain asyncio cancel of a separate task is delivered once and the graph unwinds."""
    queue: asyncio.Queue = asyncio.Queue()
    done = object()

    async def pump() -> None:
        try:
            async for event in turn:
                await queue.put(event)
        except Exception:  # noqa: BLE001 - e.g. the conversation was deleted meanwhile
            log.exception("chat turn failed")
            await queue.put(FAILED)
        finally:
            await turn.aclose()
            queue.put_nowait(done)

    task = asyncio.create_task(pump())
    try:
        while (event := await queue.get()) is not done:
            yield event
    finally:
        task.cancel()
        with anyio.move_on_after(CLOSE_WAIT_S, shield=True):  # a stuck tool must not hang us
            await asyncio.gather(task, return_exceptions=True)


def _own(fn, *args):  # noqa: ANN001, ANN002, ANN202
    try:
        return fn(*args)
    except ConversationNotFound as e:
        raise api_error(404, e.code, e.message_ko) from None
    except ConversationError as e:
        raise api_error(400, e.code, e.message_ko) from None


@router.get("/conversations", response_model=list[Conversation])
def list_conversations(request: Request, principal: Principal = Depends(require_user)):
    return _chat(request).conversations.list(owner_of(principal))


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
def get_conversation(
    conversation_id: str, request: Request, principal: Principal = Depends(require_user)
):
    repo, owner = _chat(request).conversations, owner_of(principal)
    conversation = _own(repo.get, owner, conversation_id)
    store = request.app.state.services.store
    turns = [recheck_turn(store, principal, t) for t in repo.turns(owner, conversation_id)]
    return ConversationDetail(conversation=conversation, turns=turns)


@router.patch("/conversations/{conversation_id}", response_model=Conversation)
def rename_conversation(
    conversation_id: str,
    body: RenameRequest,
    request: Request,
    principal: Principal = Depends(require_user),
):
    repo = _chat(request).conversations
    return _own(repo.rename, owner_of(principal), conversation_id, body.title)


@router.delete("/conversations/{conversation_id}", status_code=204)
def delete_conversation(
    conversation_id: str, request: Request, principal: Principal = Depends(require_user)
) -> Response:
    _own(_chat(request).conversations.delete, owner_of(principal), conversation_id)
    return Response(status_code=204)
