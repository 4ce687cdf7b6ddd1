"""Fake tools and a fake chat model for the supervisor's orchestration tests (no I/O).

Fakes are for orchestration logic only: the tools' real behaviour is tested in
tests/test_chat_tools.py on the demo registry, the whole turn in tests/test_chat_service.py.
"""

from __future__ import annotations

import asyncio

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from pydantic import BaseModel

from control_tower.chat.tools.base import Tool
from control_tower.chat.types import Evidence, Fact, ToolResult


def ev(doc: str, text: str, title: str = "문서") -> Evidence:
    return Evidence(
        doc_id=doc, title=title, path=f"과/{doc}.hwpx", text=text, chunk_id=f"{doc}:1:0"
    )


class _Q(BaseModel):
    query: str = ""
    k: int = 5
    department: str | None = None


class FakeSearch(Tool):
    name = "search_documents"
    description = "문서 검색"
    Input = _Q
    Output = _Q

    def __init__(self, passages: list[Evidence]):
        self.passages = passages
        self.calls: list[dict] = []

    def run(self, ctx, args):  # noqa: ANN001, ANN201
        self.calls.append(args.model_dump())
        return ToolResult(tool=self.name, summary=f"{len(self.passages)}건", evidence=self.passages)


class _Any(BaseModel, extra="allow"):
    pass


class FakeTool(Tool):
    """A tool that returns a fixed result and records its calls."""

    Input = _Any
    Output = _Any
    description = "가짜 도구"

    def __init__(self, name: str, result: ToolResult, delay: float = 0.0):
        self.name = name
        self.result = result.model_copy(update={"tool": name})
        self.calls: list[dict] = []
        self.delay = delay

    def run(self, ctx, args):  # noqa: ANN001, ANN201
        self.calls.append(args.model_dump())
        if self.delay:
            import time

            time.sleep(self.delay)
        return self.result


def sum_result(value: str, docs: list[tuple[str, str]]) -> ToolResult:
    evidence = [ev(d, t) for d, t in docs]
    fact = Fact(
        label="예산 합계",
        value=value,
        evidence=list(range(len(evidence))),
        sentence=f"예산 합계는 {value}입니다.",
    )
    return ToolResult(tool="registry_aggregate", summary="합계", evidence=evidence, facts=[fact])


def fake_model(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=r) for r in replies]))


class SlowModel(GenericFakeChatModel):
    """Streams forever (one token per 50 ms): for timeout and cancellation tests."""

    async def _astream(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        from langchain_core.messages import AIMessageChunk
        from langchain_core.outputs import ChatGenerationChunk

        while True:
            await asyncio.sleep(0.05)
            yield ChatGenerationChunk(message=AIMessageChunk(content="느린 "))
