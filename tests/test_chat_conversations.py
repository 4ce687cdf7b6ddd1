"""Conversations belong to their owner: another person cannot read, rename, delete or even
detect them; deleting one removes its turns and its LangGraph thread."""

from __future__ import annotations

import threading

import pytest
from langgraph.checkpoint.base import empty_checkpoint

from control_tower.chat.checkpoint import StoreCheckpointSaver
from control_tower.chat.conversations import (
    ConversationError,
    ConversationNotFound,
    ConversationRepo,
    default_title,
)
from control_tower.chat.types import ChatAnswer, ChatCitation
from control_tower.store import Store
from tests.store_backends import database_url  # noqa: F401 - fixture


def _answer(cid: str, text: str) -> ChatAnswer:
    cite = ChatCitation(n=1, doc_id="d1", title="계획", text="예산 12억원")
    return ChatAnswer(conversation_id=cid, answer=text, citations=[cite])


def _thread(cid: str) -> dict:
    return {"configurable": {"thread_id": cid, "checkpoint_ns": ""}}


def test_turns_titles_and_order(database_url):  # noqa: F811
    repo = ConversationRepo(Store(database_url))
    a = repo.create("kim")
    assert a.title == "새 대화" and a.turns == 0 and a.owner == "kim"
    question = "기후환경과에서 2026년에 추진하는 사업들의 예산 합계와 주요 사업을 알려 주세요"
    after = repo.add_turn("kim", a.id, question, _answer(a.id, "합계는 12억원입니다 [1]"))
    assert after.turns == 1 and after.title == default_title(question)
    assert len(after.title) <= 40 and after.title.endswith("사업을…")
    repo.add_turn("kim", a.id, "그중 가장 큰 사업은?", _answer(a.id, "스마트 교차로 [1]"))
    turns = repo.turns("kim", a.id)
    assert [t.question for t in turns] == [question, "그중 가장 큰 사업은?"]
    assert turns[0].answer.citations[0].text == "예산 12억원" and turns[0].at
    assert repo.last_answer("kim", a.id).answer == "스마트 교차로 [1]"
    assert repo.get("kim", a.id).title == after.title  # the first question named it, once

    named = repo.create("kim", "  예산\n정리  ")
    assert named.title == "예산 정리"
    repo.add_turn("kim", named.id, "질문", _answer(named.id, "답"))
    assert repo.get("kim", named.id).title == "예산 정리"
    assert [c.id for c in repo.list("kim")] == [named.id, a.id]  # newest activity first
    repo.add_turn("kim", a.id, "하나 더", _answer(a.id, "네"))
    assert [c.id for c in repo.list("kim")] == [a.id, named.id]

    # persistence: another repo (another process) on the same database
    again = ConversationRepo(Store(database_url))
    assert again.get("kim", a.id).turns == 3 and len(again.turns("kim", a.id)) == 3


def test_rename_validation(database_url):  # noqa: F811
    repo = ConversationRepo(Store(database_url))
    c = repo.create("kim", "처음")
    for bad in ("", "   ", "\u200b\u200b", "\n\t"):
        with pytest.raises(ConversationError) as err:
            repo.rename("kim", c.id, bad)
        assert "제목" in err.value.message_ko and err.value.code == "bad_title"
    assert repo.get("kim", c.id).title == "처음"
    long = repo.rename("kim", c.id, "가" * 150)
    assert long.title == "가" * 100
    assert repo.rename("kim", c.id, " 새\u202e 제목 ").title == "새 제목"


def test_other_users_cannot_see_or_touch(database_url):  # noqa: F811
    store = Store(database_url)
    repo = ConversationRepo(store)
    mine = repo.create("kim", "김 과장의 대화")
    repo.add_turn("kim", mine.id, "비공개 질문", _answer(mine.id, "비공개 답"))
    theirs = repo.create("lee", "이 주무관의 대화")

    assert [c.id for c in repo.list("kim")] == [mine.id]
    assert [c.id for c in repo.list("lee")] == [theirs.id]
    assert repo.list("park") == []
    calls = [
        lambda: repo.get("lee", mine.id),
        lambda: repo.turns("lee", mine.id),
        lambda: repo.rename("lee", mine.id, "가로챈 제목"),
        lambda: repo.delete("lee", mine.id),
        lambda: repo.add_turn("lee", mine.id, "끼어들기", _answer(mine.id, "x")),
        lambda: repo.last_answer("lee", mine.id),
    ]
    for call in calls:
        with pytest.raises(ConversationNotFound) as other:
            call()
        # exactly what a missing conversation gives: nothing tells that it exists
        with pytest.raises(ConversationNotFound) as missing:
            repo.get("lee", "0000000000000000")
        assert str(other.value) == str(missing.value) == "대화를 찾을 수 없습니다."
    kept = repo.get("kim", mine.id)
    assert kept.title == "김 과장의 대화" and kept.turns == 1
    assert [t.question for t in repo.turns("kim", mine.id)] == ["비공개 질문"]


def test_delete_removes_turns_and_checkpoints(database_url):  # noqa: F811
    store = Store(database_url)
    saver = StoreCheckpointSaver(store)
    repo = ConversationRepo(store, saver)
    gone = repo.create("kim", "지울 대화")
    kept = repo.create("kim", "남길 대화")
    for c in (gone, kept):
        repo.add_turn("kim", c.id, "질문", _answer(c.id, "답"))
        cfg = saver.put(_thread(c.id), empty_checkpoint(), {"source": "input"}, {})
        saver.put_writes(cfg, [("messages", ["질문"])], task_id="t1")
    repo.delete("kim", gone.id)
    with pytest.raises(ConversationNotFound):
        repo.get("kim", gone.id)
    with pytest.raises(ConversationNotFound):
        repo.turns("kim", gone.id)
    assert saver.get_tuple(_thread(gone.id)) is None
    assert [c.id for c in repo.list("kim")] == [kept.id]
    assert saver.get_tuple(_thread(kept.id)).pending_writes == [("t1", "messages", ["질문"])]
    assert len(repo.turns("kim", kept.id)) == 1
    with pytest.raises(ConversationNotFound):
        repo.delete("kim", gone.id)  # twice: gone is gone


def test_concurrent_turns_get_distinct_indexes(database_url):  # noqa: F811
    repo = ConversationRepo(Store(database_url))
    c = repo.create("kim")
    errors: list[Exception] = []

    def ask(i: int) -> None:
        try:
            repo.add_turn("kim", c.id, f"질문 {i}", _answer(c.id, f"답 {i}"))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert repo.get("kim", c.id).turns == 8
    assert sorted(t.question for t in repo.turns("kim", c.id)) == sorted(
        f"질문 {i}" for i in range(8)
    )
