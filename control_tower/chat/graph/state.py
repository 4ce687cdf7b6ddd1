"""The graph's typed state and its run-time context.

State is what the checkpointer persists per conversation thread, so it holds plain JSON-able
dicts (tool calls, results, the answer) and the conversation's history. Everything that is not
data — the caller's tool context, the model — travels in the run-time ``Context`` (LangGraph v1
``context_schema``) and is never written to the checkpoint.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

from control_tower.chat.tools.base import ToolContext


class ChatState(TypedDict, total=False):
    question: str
    plan: list[dict]  # ToolCall dumps still to run
    done: list[dict]  # ToolCall dumps already run
    results: list[dict]  # ToolResult dumps, in call order
    steps: list[dict]  # ToolStep dumps
    answer: dict  # ChatAnswer dump (without conversation_id)
    history: Annotated[list[dict], operator.add]  # {"question", "answer", "cards"} per turn


@dataclass
class Context:
    tools: ToolContext
    toolbox: dict[str, Any]  # tool name -> Tool (control_tower.chat.tools.all_tools by default)
    model_factory: Callable[[], Any] | None = None  # -> a LangChain chat model, or None
    cards: list = field(default_factory=list)  # the caller's visible cards
    departments: list[str] = field(default_factory=list)
