"""The chat service on a real store: persistence across turns, ownership, audit, errors.

Tools and the model are fakes here (their real behaviour: test_chat_tools.py and the demo
tests in test_chat_demo.py); the store, checkpoints and conversations are real.
"""

from __future__ import annotations

import asyncio

import pytest

from control_tower.audit import AuditLog
from control_tower.chat.conversations import ConversationNotFound
from control_tower.chat.service import ChatError, ChatService
from control_tower.domain import Principal, Role
from control_tower.store import open_store
from tests.chat_fakes import FakeSearch, ev, fake_model

A = Principal(username="alice", department="교통정책과", roles={Role.dept_head})
B = Principal(username="bob", department="재난안전과", roles={Role.dept_head})


@pytest.fixture
def service(settings):  # noqa: ANN001, ANN201
    store = open_store(settings)
    search = FakeSearch(
        [ev("d1", "교차로 신호 최적화 사업의 사업비는 12억원이다.", title="교차로 계획")]
    )
    replies = iter(["교차로 신호 최적화 사업비는 12억원입니다 [1]."] * 10)
    return ChatService(
        settings,
        store,
        None,
        tools=[search],
        model_factory=lambda: fake_model(next(replies)),
    )


def events_of(service, principal, question, cid=None):  # noqa: ANN001, ANN201
    async def collect():  # noqa: ANN202
        return [e async for e in service.astream(principal, question, conversation_id=cid)]

    return asyncio.run(collect())


def test_a_turn_streams_in_order_and_is_stored(service):
    events = events_of(service, A, "교차로 신호 최적화 사업비")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "conversation" and kinds[-1] == "done"
    assert kinds.index("step") < kinds.index("token") < kinds.index("citation")
    done = events[-1]["data"]
    assert "12억원" in done["answer"] and done["citations"][0]["doc_id"] == "d1"
    cid = done["conversation_id"]
    turns = service.conversations.turns("alice", cid)
    assert [t.question for t in turns] == ["교차로 신호 최적화 사업비"]
    audit = [e for e in AuditLog(service.store).read() if e.event == "chat.turn"]
    assert audit and audit[-1].username == "alice" and audit[-1].details["conversation"] == cid


def test_a_conversation_continues_on_its_thread(service):
    cid = events_of(service, A, "교차로 신호 최적화 사업비")[-1]["data"]["conversation_id"]
    events_of(service, A, "교차로 신호 최적화 일정", cid)
    assert len(service.conversations.turns("alice", cid)) == 2
    state = service.graph.get_state({"configurable": {"thread_id": cid}})
    assert [h["question"] for h in state.values["history"]] == [
        "교차로 신호 최적화 사업비",
        "교차로 신호 최적화 일정",
    ]


def test_another_users_conversation_is_not_found(service):
    cid = events_of(service, A, "교차로 신호 최적화 사업비")[-1]["data"]["conversation_id"]
    with pytest.raises(ConversationNotFound):
        events_of(service, B, "교차로", cid)
    assert service.conversations.list("bob") == []


def test_bad_questions_are_refused_before_anything_runs(service):
    with pytest.raises(ChatError):
        events_of(service, A, "   ")
    with pytest.raises(ChatError):
        events_of(service, A, "가" * 5000)
    assert service.conversations.list("alice") == []


def test_a_failing_model_still_answers(settings):
    def broken():  # noqa: ANN202
        raise ConnectionError("LLM down")

    store = open_store(settings)
    search = FakeSearch([ev("d1", "교차로 신호 최적화 개요", title="교차로 계획")])
    service = ChatService(settings, store, None, tools=[search], model_factory=broken)
    answer = asyncio.run(service.aask(A, "교차로 신호 최적화 개요"))
    assert answer.fallback and answer.citations and "자동 발췌" in answer.answer
