"""`ct mcp`: the assistant's tools as an MCP server on stdio, run as one user."""

from __future__ import annotations

import typer

from control_tower.cli.principal import resolve_user
from control_tower.settings import get_settings


def mcp(
    user: str = typer.Option(
        None, "--user", envvar="CT_MCP_USER", help="이 사용자의 권한으로 도구를 실행합니다"
    ),
) -> None:
    """MCP 서버(stdio)로 검색·사업 등록부·연계·로드맵 도구와 AI 비서(ask)를 제공합니다."""
    from control_tower.chat.mcp_server import build_server
    from control_tower.chat.service import ChatService, default_model_factory
    from control_tower.chat.tools import all_tools
    from control_tower.retrieval import Retriever
    from control_tower.store import open_store

    settings = get_settings()
    principal = resolve_user(settings, user)
    store = open_store(settings)
    retriever = Retriever(settings)
    tools = all_tools()
    chat = ChatService(
        settings, store, retriever, model_factory=default_model_factory(settings), tools=tools
    )
    build_server(settings, store, retriever, principal, tools, chat).run("stdio")
