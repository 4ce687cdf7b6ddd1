"""The agent-tool seam: one typed input, one typed output, run with the caller's permissions.

Every surface (the supervisor graph, MCP, tests) calls a tool the same way:
``tool.run(ctx, tool.Input.model_validate(args))`` -> ``ToolResult``. A tool never sees more
than ``ctx.principal`` may read; whatever it returns may be shown to that principal.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel

from control_tower.chat.types import ToolResult
from control_tower.domain import Principal
from control_tower.settings import Settings


@dataclass
class ToolContext:
    """What a tool may use. ``retriever`` is a control_tower.retrieval.Retriever; ``store`` a
    control_tower.store.Store; ``embedder`` may be None (tools then skip embedding features)."""

    settings: Settings
    store: Any
    retriever: Any
    principal: Principal
    embedder: Any = None
    surface: str = "chat"  # audit surface of searches made by tools
    cache: dict = field(default_factory=dict)  # per-turn memo (e.g. the caller's visible cards)


class ToolError(Exception):
    """A bad argument or an unavailable input, with a Korean message for the user."""

    def __init__(self, code: str, message_ko: str):
        super().__init__(message_ko)
        self.code = code
        self.message_ko = message_ko


class Tool(ABC):
    name: ClassVar[str]
    description: ClassVar[str]  # Korean, one or two sentences: shown to the LLM and over MCP
    Input: ClassVar[type[BaseModel]]
    Output: ClassVar[type[BaseModel]]

    @abstractmethod
    def run(self, ctx: ToolContext, args: BaseModel) -> ToolResult:
        """Do the work as ``ctx.principal``; ``ToolResult.data`` is an ``Output`` dumped."""

    def call(self, ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
        """Validate ``args`` and run; a bad argument or ToolError becomes ok=False."""
        from pydantic import ValidationError

        try:
            parsed = self.Input.model_validate(args or {})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            return ToolResult(
                tool=self.name, ok=False, error=f"도구 인자가 올바르지 않습니다({where})."
            )
        try:
            return self.run(ctx, parsed)
        except ToolError as exc:
            return ToolResult(tool=self.name, ok=False, error=exc.message_ko)
