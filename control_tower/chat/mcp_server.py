"""The assistant's tools over MCP (stdio), for MCP-capable agents: ``ct mcp --user NAME``.

The same ``Tool`` objects as the supervisor graph, run as the one user the server was started
for, so an MCP client sees exactly what that user may read. Each tool's MCP parameters are its
pydantic ``Input`` fields; results are the tool's ``ToolResult`` as JSON (evidence with citations,
computed facts, its typed data). ``ask`` runs a whole chat turn (routing, tools, cited answer).
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from control_tower.chat.tools.base import Tool, ToolContext


def _function_for(tool: Tool, make_ctx) -> Any:  # noqa: ANN001
    """A plain function whose signature is the tool's input fields (what MCPServer inspects)."""
    params = []
    annotations: dict[str, Any] = {}
    for name, field in tool.Input.model_fields.items():
        default = inspect.Parameter.empty if field.is_required() else field.get_default()
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=field.annotation
            )
        )
        annotations[name] = field.annotation

    def run(**kwargs: Any) -> str:
        args = {k: v for k, v in kwargs.items() if v is not None}
        result = tool.call(make_ctx(), args)
        return json.dumps(result.model_dump(mode="json"), ensure_ascii=False)

    run.__name__ = tool.name
    run.__signature__ = inspect.Signature(params, return_annotation=str)
    run.__annotations__ = annotations | {"return": str}
    return run


def build_server(settings, store, retriever, principal, tools: list[Tool], chat=None):  # noqa: ANN001, ANN201
    """An ``MCPServer`` exposing ``tools`` (and ``ask`` when a ChatService is given)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer(
        "control-tower",
        instructions="포항시 AI 혁신 컨트롤타워: 문서 검색, 사업 등록부, 연계 분석, 로드맵 도구. "
        f"모든 결과는 사용자 '{principal.username}'의 열람 권한 안에서만 나옵니다.",
    )

    def make_ctx() -> ToolContext:
        return ToolContext(settings, store, retriever, principal, surface="mcp")

    for tool in tools:
        server.add_tool(_function_for(tool, make_ctx), name=tool.name, description=tool.description)
    if chat is not None:

        async def ask(question: str, conversation_id: str | None = None) -> str:
            answer = await chat.aask(
                principal, question, conversation_id=conversation_id, surface="mcp"
            )
            return json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)

        server.add_tool(
            ask,
            name="ask",
            description="AI 비서에게 질문합니다: 도구를 실행하고 출처 [n]이 붙은 답을 줍니다.",
        )
    return server
