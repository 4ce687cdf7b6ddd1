"""MCP: the same tools with the same permissions, through the official SDK's client —
in-process on the demo store, and over stdio against `ct mcp`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from control_tower.chat.mcp_server import build_server
from control_tower.chat.tools import all_tools
from control_tower.retrieval import Retriever
from control_tower.store import open_store

QUESTION = "상반기 정보보안 점검 결과 취약점"
SECRET_TITLE = "2025년 상반기 정보보안 점검 결과 보고"


def _call(server, name: str, args: dict) -> dict:  # noqa: ANN001
    from mcp import Client

    async def go() -> tuple[list, dict]:
        async with Client(server) as client:
            tools = await client.list_tools()
            result = await client.call_tool(name, args)
            return tools.tools, json.loads(result.content[0].text)

    return asyncio.run(go())


def test_tools_over_mcp_keep_the_callers_permissions(demo_registry):
    settings, _ = demo_registry
    store = open_store(settings)
    retriever = Retriever(settings)

    def search_as(username: str) -> tuple[list, dict]:
        server = build_server(
            settings, store, retriever, store.get_user(username), all_tools(), chat=None
        )
        return _call(server, "search_documents", {"query": QUESTION, "k": 5})

    tools, staff = search_as("traffic_staff")
    names = {t.name for t in tools}
    assert {"search_documents", "registry_aggregate", "related_projects"} <= names
    schema = next(t for t in tools if t.name == "search_documents").input_schema
    assert "query" in schema["properties"]
    assert SECRET_TITLE not in json.dumps(staff, ensure_ascii=False)
    _, head = search_as("ict_head")  # positive control
    assert SECRET_TITLE in {e["title"] for e in head["evidence"]}


def test_ct_mcp_over_stdio(demo_copy):  # noqa: ANN001
    from mcp import Client, StdioServerParameters

    ct = Path(sys.executable).with_name("ct")
    params = StdioServerParameters(
        command=str(ct), args=["mcp", "--user", "traffic_head"], env=dict(os.environ)
    )

    async def go() -> dict:
        async with Client(params) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "ask" in names and "registry_aggregate" in names
            result = await client.call_tool(
                "registry_aggregate", {"op": "count", "department": "교통정책과"}
            )
            return json.loads(result.content[0].text)

    out = asyncio.run(go())
    assert out["ok"] and out["facts"], out
