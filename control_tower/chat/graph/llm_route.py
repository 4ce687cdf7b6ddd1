"""The LLM's half of routing, used only when patterns and entities left a question ambiguous.

Two ways, by settings: free-form tool calls (vLLM's hermes parser; when the model emits none or
an unknown one, we fall through) and a guided-decoding choice whose JSON schema enumerates the
tool names, which even the 0.5B model fills validly. Any failure returns None: the caller then
searches the documents, the safe default.
"""

from __future__ import annotations

import asyncio
import json
import logging

from control_tower.chat.graph.router import CHOOSABLE
from control_tower.llm.structured import response_format
from control_tower.prompts import load_prompt

log = logging.getLogger(__name__)


async def _tool_call(model, question: str, tools: list) -> str | None:  # noqa: ANN001
    specs = [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                "parameters": t.Input.model_json_schema(),
            },
        }
        for t in tools
        if t.name in CHOOSABLE
    ]
    reply = await model.bind_tools(specs, tool_choice="auto").ainvoke(question)
    for call in getattr(reply, "tool_calls", None) or []:
        if call.get("name") in CHOOSABLE:
            return call["name"]
    return None


async def _guided_choice(model, question: str) -> str | None:  # noqa: ANN001
    prompt = load_prompt("chat_route")
    bound = model.bind(response_format=response_format(prompt.schema_, name="route"))
    reply = await bound.ainvoke(prompt.render(question=question))
    tool = json.loads(reply.content).get("tool")
    return tool if tool in CHOOSABLE else None


async def choose_tool(settings, model_factory, question: str, tools: list) -> str | None:  # noqa: ANN001
    timeout = settings.chat_llm_timeout_s
    try:
        model = model_factory()
        if settings.chat_tool_calling:
            tool = await asyncio.wait_for(_tool_call(model, question, tools), timeout)
            if tool:
                return tool
        return await asyncio.wait_for(_guided_choice(model, question), timeout)
    except Exception as exc:  # noqa: BLE001 - any LLM failure: route by default instead
        log.info("LLM routing failed (%s); searching instead", type(exc).__name__)
        return None
