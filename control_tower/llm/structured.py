"""Structured output through the server's ``json_schema`` response format (guided decoding).

vLLM constrains decoding to the schema, so the JSON is well-formed by construction; we still
validate it, because a reply cut at ``max_tokens`` or a schema keyword the grammar backend
ignores can slip through. Give every free-text string a ``max_length`` (pydantic) /
``maxLength`` (JSON schema): without it small models keep writing until ``max_tokens``.

    class Summary(BaseModel):
        title: str = Field(max_length=80)
        points: list[str] = Field(max_length=5)

    summary = structured_output(settings, Summary, messages)   # -> Summary
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, TypeVar

import jsonschema
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ValidationError

from control_tower.llm.client import chat_model, llm_errors
from control_tower.llm.errors import LLMOutputError
from control_tower.settings import Settings

T = TypeVar("T", bound=BaseModel)
Messages = Sequence[BaseMessage | tuple[str, str] | dict[str, Any] | str] | str


def json_schema_of(schema: type[BaseModel] | dict[str, Any]) -> dict[str, Any]:
    """The JSON schema sent to the server (pydantic ``max_length`` becomes ``maxLength``)."""
    if isinstance(schema, dict):
        return schema
    return schema.model_json_schema()


def response_format(
    schema: type[BaseModel] | dict[str, Any], *, name: str | None = None
) -> dict[str, Any]:
    """An OpenAI ``response_format`` of type ``json_schema`` for ``schema``."""
    if name is None:
        name = schema.__name__ if isinstance(schema, type) else str(schema.get("title", "output"))
    return {
        "type": "json_schema",
        "json_schema": {
            "name": re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64] or "output",
            "schema": json_schema_of(schema),
            "strict": True,
        },
    }


def _validated(schema: type[T] | dict[str, Any], message: BaseMessage) -> T | dict[str, Any]:
    """Parse the reply's JSON and validate it against ``schema``."""
    finish = (message.response_metadata or {}).get("finish_reason")
    text = message.content if isinstance(message.content, str) else ""
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        cut = " (max_tokens에서 잘림)" if finish == "length" else ""
        raise LLMOutputError(
            f"LLM 답변이 올바른 JSON이 아닙니다{cut}.",
            code="llm_invalid_json",
            hint="max_tokens를 늘리거나 스키마의 문자열에 maxLength를 지정하세요.",
        ) from exc
    try:
        if isinstance(schema, dict):
            jsonschema.validate(parsed, schema)
            return parsed
        return schema.model_validate(parsed)
    except (ValidationError, jsonschema.ValidationError) as exc:
        raise LLMOutputError(
            f"LLM 답변이 요구한 형식(스키마)에 맞지 않습니다: {str(exc).splitlines()[0][:200]}",
            code="llm_schema_invalid",
            hint="프롬프트와 스키마를 확인하세요.",
        ) from exc


def _structured_runnable(settings: Settings, schema: Any, overrides: dict[str, Any]):
    # A JSON object is only useful whole: no token streaming here. We bind the
    # response_format ourselves (rather than with_structured_output) so the server gets the
    # schema exactly as written, maxLength included, and we see finish_reason.
    overrides.setdefault("streaming", False)
    return chat_model(settings, **overrides).bind(response_format=response_format(schema))


def structured_output(
    settings: Settings,
    schema: type[T] | dict[str, Any],
    messages: Messages,
    **overrides: Any,
) -> T | dict[str, Any]:
    """Ask for JSON that follows ``schema``; return it validated (a ``T`` for pydantic)."""
    runnable = _structured_runnable(settings, schema, dict(overrides))
    with llm_errors(settings):
        message = runnable.invoke(messages)
    return _validated(schema, message)


async def astructured_output(
    settings: Settings,
    schema: type[T] | dict[str, Any],
    messages: Messages,
    **overrides: Any,
) -> T | dict[str, Any]:
    """Async twin of :func:`structured_output`."""
    runnable = _structured_runnable(settings, schema, dict(overrides))
    with llm_errors(settings):
        message = await runnable.ainvoke(messages)
    return _validated(schema, message)
