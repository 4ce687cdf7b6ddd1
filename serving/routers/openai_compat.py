"""OpenAI-compatible chat (``POST /v1/chat/completions``, ``GET /v1/models``) for existing tools.

Any OpenAI client (the ``openai`` package, Open WebUI, editors) can ask the assistant with a
personal API key (``Bearer ct_…``) as the API key and model ``control-tower``. Only the last
user message is the question; earlier messages are not replayed — the conversation lives on
the server: pass ``conversation_id`` (top level or in ``metadata``) to continue one, or resend
the history as OpenAI clients do: the caller's conversation whose questions were exactly the
earlier user messages is continued (so "그 사업 예산은?" still means the last answer's
project), and a first message starts a new one. Every
answer carries ``conversation_id`` and ``citations`` (ChatCitation dumps) as extra fields, and
its text ends with a "출처:" list, so plain clients show the sources too.

Streaming sends the *checked* answer: the turn's token events are the model's draft before the
citation check drops unsupported sentences and renumbers ``[n]``, and an OpenAI client cannot
take text back, so the deltas come from the final answer (a role chunk and SSE comments keep
the connection alive meanwhile). Errors use OpenAI's shape with Korean messages.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from control_tower.chat.conversations import ConversationNotFound
from control_tower.chat.service import ChatError
from control_tower.chat.types import ChatAnswer, ChatCitation
from control_tower.domain import Principal
from serving.auth import auth_context
from serving.routers.chat_api import detached

MODEL = "control-tower"
DELTA_CHARS = 24
router = APIRouter(prefix="/v1", tags=["openai"])


class OpenAIError(Exception):
    def __init__(
        self, status: int, code: str, message_ko: str, kind: str = "invalid_request_error"
    ):
        super().__init__(message_ko)
        self.status, self.code, self.message_ko, self.kind = status, code, message_ko, kind

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message_ko, "type": self.kind, "code": self.code}}
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return JSONResponse(body, status_code=self.status, headers=headers)


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class OpenAIErrorBody(BaseModel):
    message: str
    type: str
    code: str


class OpenAIErrorResponse(BaseModel):
    error: OpenAIErrorBody


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Published so clients (and the schemathesis run) know every status these routes send."""
    what = {400: "요청 형식 오류", 401: "API 키 없음/폐기", 404: "모델·대화 없음", 500: "답변 실패"}
    return {s: {"model": OpenAIErrorResponse, "description": what[s]} for s in statuses}


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, … are accepted, unused
    model: str = MODEL
    messages: list[Message]
    stream: bool = False
    conversation_id: str | None = None
    metadata: dict[str, Any] | None = None


def _inline(schema: dict) -> dict:
    """The model's JSON schema with its ``$defs`` inlined (OpenAPI resolves refs elsewhere)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


def _caller(request: Request) -> Principal:
    ctx = auth_context(request)
    if ctx.method != "api_key":
        if ctx.problem == "invalid_api_key":
            raise OpenAIError(401, "invalid_api_key", "API 키가 올바르지 않거나 폐기되었습니다.")
        raise OpenAIError(
            401, "missing_api_key", "API 키가 필요합니다. 내 계정에서 API 키를 만들어 사용하세요."
        )
    return ctx.principal


def _text(message: Message) -> str:
    if isinstance(message.content, list):
        return "".join(str(p.get("text", "")) for p in message.content if p.get("type") == "text")
    return message.content or ""


def _parse(raw: bytes) -> tuple[CompletionRequest, str, list[str]]:
    """The body, the question (the last user message) and the user messages before it (the
    history an OpenAI client resends)."""
    try:
        body = CompletionRequest.model_validate_json(raw or b"{}")
    except ValidationError:
        raise OpenAIError(
            400, "invalid_body", "요청 형식이 올바르지 않습니다: model, messages를 확인하세요."
        ) from None
    if body.model != MODEL:
        raise OpenAIError(404, "model_not_found", f"모델 '{body.model}'은(는) 없습니다: {MODEL}")
    asked = [_text(m) for m in body.messages if m.role == "user"]
    if not asked:
        raise OpenAIError(400, "no_user_message", "질문(role이 user인 메시지)이 없습니다.")
    return body, asked[-1], asked[:-1]


def _conversation_id(body: CompletionRequest) -> str | None:
    cid = body.conversation_id or (body.metadata or {}).get("conversation_id")
    return str(cid) if cid else None


def sources_text(citations: list[ChatCitation]) -> str:
    """'\\n\\n출처:\\n[1] 제목 (경로, p.N)' — empty when nothing is cited."""
    if not citations:
        return ""
    lines = []
    for c in citations:
        where = ", ".join(x for x in (c.path, f"p.{c.page}" if c.page else "") if x)
        lines.append(f"[{c.n}] {c.title or c.doc_id}" + (f" ({where})" if where else ""))
    return "\n\n출처:\n" + "\n".join(lines)


@router.get("/models", responses=_errors(401))
def list_models(request: Request):
    try:
        _caller(request)
    except OpenAIError as e:
        return e.response()
    model = {"id": MODEL, "object": "model", "created": 0, "owned_by": "control-tower"}
    return {"object": "list", "data": [model]}


_BODY_SCHEMA = {"schema": _inline(CompletionRequest.model_json_schema())}


@router.post(
    "/chat/completions",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "답변 (JSON, stream이면 SSE)"},
        **_errors(400, 401, 404, 500),
    },
    # The body is parsed by hand (errors in OpenAI's shape, not FastAPI's 422), so publish it.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": _BODY_SCHEMA},
        }
    },
)
async def chat_completions(request: Request):
    try:
        principal = await run_in_threadpool(_caller, request)
        body, question, earlier = _parse(await request.body())
        service = await run_in_threadpool(lambda: request.app.state.services.chat)
        cid = await run_in_threadpool(
            _open, service, principal, question, _conversation_id(body), earlier
        )
    except OpenAIError as e:
        return e.response()
    turn = service.astream(principal, question, conversation_id=cid, surface="openai")
    meta = {"id": f"chatcmpl-{secrets.token_hex(12)}", "created": int(time.time()), "model": MODEL}
    if body.stream:
        return EventSourceResponse(_chunks(turn, meta, cid), ping=15)
    try:
        answer = await _final(turn)
    except OpenAIError as e:
        return e.response()
    return _completion(meta, answer)


def _open(
    service,  # noqa: ANN001
    principal: Principal,
    question: str,
    cid: str | None,
    earlier: list[str],
) -> str:
    try:
        return service.open(principal, question, cid, earlier)
    except ChatError as e:
        raise OpenAIError(e.status, e.code, e.message_ko) from None
    except ConversationNotFound as e:
        raise OpenAIError(404, e.code, e.message_ko) from None


async def _final(turn) -> ChatAnswer:  # noqa: ANN001 - the service's event generator
    try:
        async for event in turn:
            if event["type"] == "done":
                return ChatAnswer.model_validate(event["data"])
            if event["type"] == "error":
                data = event["data"]
                raise OpenAIError(500, data["code"], data["message"], "server_error")
    finally:
        await turn.aclose()
    raise OpenAIError(500, "no_answer", "답변을 만들지 못했습니다.", "server_error")


def _completion(meta: dict, answer: ChatAnswer) -> dict:
    content = answer.answer + sources_text(answer.citations)
    return {
        **meta,
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "conversation_id": answer.conversation_id,
        "citations": [c.model_dump() for c in answer.citations],
    }


def _chunk(meta: dict, delta: dict, finish: str | None = None, **extra: Any) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    body = {**meta, "object": "chat.completion.chunk", "choices": [choice], **extra}
    return json.dumps(body, ensure_ascii=False)


async def _chunks(turn, meta: dict, cid: str):  # noqa: ANN001, ANN202
    """chat.completion.chunk lines, then ``[DONE]``; a client that leaves cancels the turn."""
    yield _chunk(meta, {"role": "assistant", "content": ""}, conversation_id=cid)
    async for event in detached(turn):
        kind, data = event["type"], event["data"]
        if kind == "step" and data.get("phase") == "start":
            yield ServerSentEvent(comment=f"step {data.get('tool', '')}")
        elif kind == "done":
            answer = ChatAnswer.model_validate(data)
            text = answer.answer
            for i in range(0, len(text), DELTA_CHARS):
                yield _chunk(meta, {"content": text[i : i + DELTA_CHARS]})
            yield _chunk(
                meta,
                {"content": sources_text(answer.citations)},
                "stop",
                conversation_id=cid,
                citations=[c.model_dump() for c in answer.citations],
            )
        elif kind == "error":
            error = {"message": data["message"], "type": "server_error", "code": data["code"]}
            yield json.dumps({"error": error}, ensure_ascii=False)
    yield "[DONE]"
