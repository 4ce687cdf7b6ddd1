"""The AI 비서 page: the caller's conversations on the left, one conversation's thread on the
right, and a question form that streams the answer from ``POST /api/v1/chat`` (``chat.js``).

- ``GET /chat``                 the list and an empty thread (a new conversation)
- ``GET /chat/{id}``            one of the caller's conversations (404 page for anyone else's,
                                exactly like a missing one, so ids cannot be probed)
- ``GET /chat/{id}/last``       the last turn as a partial: after a streamed ``done``, the
                                page swaps the plain streamed text for the server-rendered one

Every signed-in user may use the assistant: what it answers from is scoped by the chat
service to what the caller may read, not by a role check here.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from control_tower.chat.conversations import ConversationNotFound
from control_tower.chat.service import MAX_QUESTION_CHARS, owner_of
from control_tower.domain import Principal
from serving.auth import page_principal
from serving.routers.ui_chat_render import answer_html, passage_link, quote, where
from serving.templating import render

router = APIRouter(include_in_schema=False)
NOT_FOUND = "대화를 찾을 수 없습니다."
# the templates' helpers (serving/routers/ui_chat_render.py)
HELPERS = {"answer_html": answer_html, "link": passage_link, "where": where, "quote": quote}


def _repo(request: Request):  # noqa: ANN202 - control_tower.chat.conversations.ConversationRepo
    return request.app.state.services.chat.conversations


def readable_turns(request: Request, principal: Principal, turns: list) -> list:
    """Stored answers as the API shows them: one citing a document the caller may no longer
    read (narrowed, deleted) is replaced by a notice (``chat.recheck``), then linked."""
    from control_tower.chat.recheck import recheck_turn

    store = request.app.state.services.store
    return with_chunk_links(request, [recheck_turn(store, principal, t) for t in turns])


def with_chunk_links(request: Request, turns: list) -> list:
    """Give a card value's citation (a character span, no chunk) the passage link of the
    chunk holding that span, as the registry's pages do; the passage page checks access."""
    from control_tower.registry.types import SourceRef
    from serving.routers.ui_registry_cite import Citer

    citer, store = Citer(request.app.state.services), request.app.state.services.store
    for turn in turns:
        for c in turn.answer.citations:
            if passage_link(c.url) or c.char_start is None:
                continue
            record = store.get_document(c.doc_id)
            if record is None:
                continue
            src = SourceRef(
                doc_id=c.doc_id, version=record.version, char_start=c.char_start,
                char_end=c.char_end,
            )  # fmt: skip
            c.url = citer.passage_url(src) or c.url
    return turns


def _page(request: Request, principal: Principal, conversation_id: str | None) -> Response:
    repo, owner = _repo(request), owner_of(principal)
    current, turns = None, []
    if conversation_id:
        try:
            current = repo.get(owner, conversation_id)
            turns = readable_turns(request, principal, repo.turns(owner, conversation_id))
        except ConversationNotFound:
            return render(
                request, "not_found.html", principal, {"message": NOT_FOUND}, status_code=404
            )
    ctx = {
        "conversations": [
            c.model_dump() | {"when": datetime.fromisoformat(c.updated_at)}
            for c in repo.list(owner)
        ],
        "current": current,
        "turns": turns,
        "max_chars": MAX_QUESTION_CHARS,
    } | HELPERS
    return render(request, "chat/page.html", principal, ctx)


@router.get("/chat")
def chat_page(request: Request, principal: Principal = Depends(page_principal)) -> Response:
    return _page(request, principal, None)


@router.get("/chat/{conversation_id}")
def conversation_page(
    request: Request, conversation_id: str, principal: Principal = Depends(page_principal)
) -> Response:
    return _page(request, principal, conversation_id)


@router.get("/chat/{conversation_id}/last")
def last_turn(
    request: Request, conversation_id: str, principal: Principal = Depends(page_principal)
) -> Response:
    try:
        turns = _repo(request).turns(owner_of(principal), conversation_id)
    except ConversationNotFound:
        return render(request, "not_found.html", principal, {"message": NOT_FOUND}, status_code=404)
    if not turns:
        return Response(status_code=204)
    turn = readable_turns(request, principal, turns[-1:])[0]
    ctx = {"turn": turn, "index": len(turns) - 1} | HELPERS
    return render(request, "chat/_turn.html", principal, ctx)
