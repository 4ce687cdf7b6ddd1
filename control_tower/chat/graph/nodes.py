"""The graph's nodes, as plain async functions over ``ChatState`` and the run-time context.

route -> tools (repeated while the plan has calls, within ``chat_max_steps``) -> compose.
Progress goes out through LangGraph's custom stream (``get_stream_writer``) as our own
``ChatEvent`` dicts, so the first ``step`` event leaves before any LLM call has finished.
"""

from __future__ import annotations

import asyncio
import time

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from control_tower.chat.graph import router
from control_tower.chat.graph.answer import compose_answer
from control_tower.chat.graph.entities import find_entities
from control_tower.chat.graph.llm_route import choose_tool
from control_tower.chat.graph.state import ChatState, Context
from control_tower.chat.types import ChatEvent, ToolCall, ToolResult, ToolStep


def emit(kind: str, **data) -> None:  # noqa: ANN003
    get_stream_writer()(ChatEvent(type=kind, data=data).model_dump())


def _available(call: ToolCall, toolbox: dict, question: str) -> ToolCall:
    if call.tool in toolbox:
        return call
    return ToolCall(tool="search_documents", args={"query": question[:200], "k": 5}, why="fallback")


async def route(state: ChatState, runtime: Runtime[Context]) -> dict:
    ctx = runtime.context
    emit("step", phase="start", index=0, tool="route", args={}, seconds=None, ok=None, summary="")
    started = time.perf_counter()
    question = state["question"]
    ent = find_entities(question, ctx.tools.principal, ctx.cards, ctx.departments)
    if not ent.cards and state.get("history"):
        ent.cards = _previous_cards(question, state["history"], ctx.cards)
    calls, ambiguous = router.plan(question, ent)
    if ambiguous and ctx.model_factory is not None:
        chosen = await choose_tool(
            ctx.tools.settings, ctx.model_factory, question, list(ctx.toolbox.values())
        )
        if chosen and chosen != calls[0].tool:
            calls = [router.call_for(chosen, question, ent, "llm")]
    calls = [_available(c, ctx.toolbox, question) for c in calls]
    took = round(time.perf_counter() - started, 3)
    summary = ", ".join(f"{c.tool}({c.why})" for c in calls)
    emit(
        "step", phase="end", index=0, tool="route", args={}, seconds=took, ok=True, summary=summary
    )
    plan = [c.model_dump() for c in calls]
    return {"plan": plan, "done": [], "results": [], "steps": [], "answer": {}}


def _previous_cards(question: str, history: list[dict], cards: list) -> list:
    """ "그 사업 예산은?" — a follow-up means the previous turn's projects (still visible ones)."""
    if not any(w in question for w in ("그 사업", "그거", "이 사업", "해당 사업", "그 중", "그중")):
        return []
    ids = history[-1].get("cards", []) if history else []
    by_id = {c.id: c for c in cards}
    return [by_id[i] for i in ids if i in by_id]


async def run_tool(state: ChatState, runtime: Runtime[Context]) -> dict:
    ctx = runtime.context
    plan = list(state["plan"])
    call = ToolCall.model_validate(plan.pop(0))
    index = len(state.get("done", [])) + 1
    emit("step", phase="start", index=index, tool=call.tool, args=call.args, seconds=None)
    started = time.perf_counter()
    try:
        result = await asyncio.to_thread(ctx.toolbox[call.tool].call, ctx.tools, call.args)
    except Exception:  # noqa: BLE001 - a broken tool must not end the turn; say so instead
        result = ToolResult(tool=call.tool, ok=False, error="도구 실행 중 오류가 발생했습니다.")
    took = round(time.perf_counter() - started, 3)
    summary = result.summary if result.ok else (result.error or "실패")
    step = ToolStep(tool=call.tool, args=call.args, seconds=took, ok=result.ok, summary=summary)
    emit("step", phase="end", index=index, **step.model_dump())
    done = [*state.get("done", []), call.model_dump()]
    results = [*state.get("results", []), result.model_dump()]
    if len(done) < ctx.tools.settings.chat_max_steps:
        chained = router.follow_ups(
            state["question"],
            [ToolCall.model_validate(c) for c in done],
            [ToolResult.model_validate(r) for r in results],
        )
        planned = {p["tool"] for p in plan}
        plan.extend(c.model_dump() for c in chained if c.tool not in planned)
    return {
        "plan": plan,
        "done": done,
        "results": results,
        "steps": [*state.get("steps", []), step.model_dump()],
    }


def after_tool(state: ChatState, runtime: Runtime[Context]) -> str:
    more = state.get("plan") and len(state["done"]) < runtime.context.tools.settings.chat_max_steps
    return "tools" if more else "compose"


async def compose(state: ChatState, runtime: Runtime[Context]) -> dict:
    results = [ToolResult.model_validate(r) for r in state.get("results", [])]
    answer, card_ids = await compose_answer(state["question"], results, runtime.context, emit)
    answer["steps"] = state.get("steps", [])
    turn = {"question": state["question"], "answer": answer["answer"], "cards": card_ids}
    return {"answer": answer, "history": [turn]}
