"""The chat supervisor's checkpointer on SQLite and PostgreSQL: a real compiled LangGraph
graph keeps its state per thread, across runs and across saver instances."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.graph import END, START, StateGraph

from control_tower.chat.checkpoint import StoreCheckpointSaver
from control_tower.store import Store
from tests.store_backends import database_url  # noqa: F401 - fixture


class State(TypedDict):
    messages: Annotated[list[str], operator.add]
    turns: int


def _graph(saver: StoreCheckpointSaver):
    def answer(state: State) -> dict:
        last = state["messages"][-1]
        return {"messages": [f"답변: {last}"], "turns": state.get("turns", 0) + 1}

    def tally(state: State) -> dict:
        return {"messages": [f"누적 {len(state['messages'])}건"]}

    g = StateGraph(State)
    g.add_node("answer", answer)
    g.add_node("tally", tally)
    g.add_edge(START, "answer")
    g.add_edge("answer", "tally")
    g.add_edge("tally", END)
    return g.compile(checkpointer=saver)


def _thread(tid: str) -> dict:
    return {"configurable": {"thread_id": tid}}


def test_graph_state_persists_per_thread(database_url):  # noqa: F811
    store = Store(database_url)
    graph = _graph(StoreCheckpointSaver(store))
    first = graph.invoke({"messages": ["예산 합계는?"]}, _thread("c1"))
    assert first["messages"] == ["예산 합계는?", "답변: 예산 합계는?", "누적 2건"]
    second = graph.invoke({"messages": ["부서별로?"]}, _thread("c1"))
    assert second["messages"][:3] == first["messages"]
    assert second["messages"][3:] == ["부서별로?", "답변: 부서별로?", "누적 5건"]
    assert second["turns"] == 2
    other = graph.invoke({"messages": ["다른 대화"]}, _thread("c2"))
    assert other["turns"] == 1 and len(other["messages"]) == 3

    # a new process: a new store and saver on the same database see the old thread
    store2 = Store(database_url)
    graph2 = _graph(StoreCheckpointSaver(store2))
    assert graph2.get_state(_thread("c1")).values["messages"] == second["messages"]
    third = graph2.invoke({"messages": ["세 번째"]}, _thread("c1"))
    assert third["turns"] == 3 and third["messages"][-1] == "누적 8건"
    history = list(graph2.get_state_history(_thread("c1")))
    assert len(history) >= 9 and history[0].values["turns"] == 3


def test_list_get_tuple_and_writes(database_url):  # noqa: F811
    saver = StoreCheckpointSaver(Store(database_url))
    graph = _graph(saver)
    graph.invoke({"messages": ["하나"]}, _thread("t"))
    graph.invoke({"messages": ["둘"]}, _thread("t"))
    items = list(saver.list(_thread("t")))
    ids = [t.config["configurable"]["checkpoint_id"] for t in items]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    latest = saver.get_tuple(_thread("t"))
    assert latest.config == items[0].config
    assert latest.checkpoint["channel_values"]["turns"] == 2
    assert latest.parent_config == items[1].config
    assert saver.get_tuple(items[-1].config).parent_config is None
    assert [t.config for t in saver.list(_thread("t"), limit=2)] == [i.config for i in items[:2]]
    older = list(saver.list(_thread("t"), before=items[1].config))
    assert [t.config for t in older] == [i.config for i in items[2:]]
    loops = list(saver.list(_thread("t"), filter={"source": "input"}))
    assert len(loops) == 2 and all(t.metadata["source"] == "input" for t in loops)
    assert saver.get_tuple(_thread("missing")) is None
    assert list(saver.list(_thread("missing"))) == []
    assert len(list(saver.list(None))) == len(items)

    # pending writes: kept once per (task, index); a special write (error) replaces
    cfg = saver.put(
        {"configurable": {"thread_id": "w", "checkpoint_ns": ""}},
        empty_checkpoint(),
        {"source": "input", "step": -1},
        {},
    )
    saver.put_writes(cfg, [("messages", ["가"]), ("turns", 1)], task_id="task-b")
    saver.put_writes(cfg, [("messages", ["나"])], task_id="task-a", task_path="~a")
    saver.put_writes(cfg, [("messages", ["무시"])], task_id="task-b")  # already there
    saver.put_writes(cfg, [("__error__", "첫 오류")], task_id="task-c")
    saver.put_writes(cfg, [("__error__", "둘째 오류")], task_id="task-c")
    writes = saver.get_tuple(cfg).pending_writes
    assert writes == [  # by (task_path, task_id, idx): the order a super-step applies them
        ("task-b", "messages", ["가"]),
        ("task-b", "turns", 1),
        ("task-c", "__error__", "둘째 오류"),
        ("task-a", "messages", ["나"]),
    ]


def test_delete_thread(database_url):  # noqa: F811
    saver = StoreCheckpointSaver(Store(database_url))
    graph = _graph(saver)
    graph.invoke({"messages": ["지울 대화"]}, _thread("gone"))
    graph.invoke({"messages": ["남는 대화"]}, _thread("kept"))
    saver.delete_thread("gone")
    assert saver.get_tuple(_thread("gone")) is None and list(saver.list(_thread("gone"))) == []
    assert graph.get_state(_thread("gone")).values == {}
    assert graph.get_state(_thread("kept")).values["turns"] == 1
    fresh = graph.invoke({"messages": ["다시"]}, _thread("gone"))
    assert fresh["turns"] == 1 and len(fresh["messages"]) == 3


def test_async_twins(database_url):  # noqa: F811
    saver = StoreCheckpointSaver(Store(database_url))
    graph = _graph(saver)

    async def run() -> None:
        await graph.ainvoke({"messages": ["비동기"]}, _thread("a"))
        out = await graph.ainvoke({"messages": ["또"]}, _thread("a"))
        assert out["turns"] == 2 and len(out["messages"]) == 6
        assert (await saver.aget_tuple(_thread("a"))).checkpoint["channel_values"]["turns"] == 2
        assert len([t async for t in saver.alist(_thread("a"), limit=3)]) == 3
        await saver.adelete_thread("a")
        assert await saver.aget_tuple(_thread("a")) is None

    asyncio.run(run())


def test_failed_run_resumes_from_stored_writes(database_url):  # noqa: F811
    """A super-step where one branch failed: the retry replays the stored writes of the branch
    that succeeded instead of running it again."""
    calls = {"fast": 0, "flaky": 0}

    def fast(state: State) -> dict:
        calls["fast"] += 1
        return {"messages": ["빠른 도구"]}

    def flaky(state: State) -> dict:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("도구 실패")
        return {"messages": ["느린 도구"]}

    g = StateGraph(State)
    g.add_node("fast", fast)
    g.add_node("flaky", flaky)
    g.add_edge(START, "fast")
    g.add_edge(START, "flaky")
    g.add_edge("fast", END)
    g.add_edge("flaky", END)
    saver = StoreCheckpointSaver(Store(database_url))
    graph = g.compile(checkpointer=saver)
    with pytest.raises(RuntimeError):
        graph.invoke({"messages": ["질문"]}, _thread("r"))
    writes = saver.get_tuple(_thread("r")).pending_writes
    assert ("messages", ["빠른 도구"]) in [(c, v) for _, c, v in writes]
    assert any(c == "__error__" for _, c, _ in writes)
    # a new saver instance (another process) resumes the thread
    graph = g.compile(checkpointer=StoreCheckpointSaver(Store(database_url)))
    out = graph.invoke(None, _thread("r"))
    assert calls == {"fast": 1, "flaky": 2}
    assert sorted(out["messages"]) == sorted(["질문", "빠른 도구", "느린 도구"])
