"""Whole chat turns with the real tools on the demo corpus and registry (no LLM running: the
answers are the computed facts and extractive quotes, which is what `tiny` falls back to).

Covers the issue's "done when": a department head's duplicate question is answered with the
ground-truth duplicate, cited; a staff member of another department gets nothing of a
restricted document — not in the answer, the citations or the steps.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from control_tower.chat.service import ChatService
from control_tower.retrieval import Retriever
from control_tower.store import open_store

CONTENT = Path(__file__).resolve().parents[1] / "control_tower" / "demo" / "content"


def _doc(key: str) -> dict:
    for path in CONTENT.glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        for doc in data.get("documents", []):
            if doc["key"] == key:
                return doc | {"department": data["department"]}
    raise KeyError(key)


@pytest.fixture(scope="module")
def demo_chat(demo_registry):  # noqa: ANN001, ANN201
    settings, _ = demo_registry
    settings = settings.model_copy(update={"chat_use_llm": False})
    store = open_store(settings)
    return ChatService(settings, store, Retriever(settings)), store


def ask(demo_chat, username: str, question: str):  # noqa: ANN001, ANN201
    service, store = demo_chat
    principal = store.get_user(username)
    return asyncio.run(service.aask(principal, question, surface="test"))


def doc_ids_titled(store, title: str) -> set[str]:  # noqa: ANN001
    return {r.doc_id for r in store.list_documents() if r.title == title}


def test_duplicate_question_of_a_department_head(demo_chat):
    _, store = demo_chat
    truth = json.loads((CONTENT / "links.json").read_text("utf-8"))["links"]
    pair = next(lk for lk in truth if lk["source"] == "ai-city-data-hub")
    other = _doc(pair["target"])  # 정보통신과's data platform
    answer = ask(demo_chat, "ai_head", "우리 과 사업과 중복되는 다른 부서 사업이 있나요?")
    assert [s.tool for s in answer.steps][0] == "related_projects"
    assert other["department"] in answer.answer
    assert "중복" in answer.answer
    cited = {c.doc_id for c in answer.citations}
    assert cited & doc_ids_titled(store, other["title"]), answer.citations
    assert "[1]" in answer.answer and not answer.not_found
    # every marker opens its passage: card evidence got the chunk holding its span
    assert all(c.chunk_id and "chunk=" in c.url for c in answer.citations), answer.citations


def test_budget_sum_is_computed_from_cards(demo_chat):
    from control_tower.registry.service import list_cards

    service, store = demo_chat
    head = store.get_user("traffic_head")
    cards = [c for c in list_cards(store, head) if "교통정책과" in c.departments[:1]]
    total = sum(float(c.value("budget_eok")) for c in cards if c.value("budget_eok") is not None)
    answer = ask(demo_chat, "traffic_head", "우리 과 사업 예산을 다 합치면 얼마인가요?")
    assert [s.tool for s in answer.steps] == ["registry_aggregate"]
    shown = f"{total:,.2f}".rstrip("0").rstrip(".")
    assert shown in answer.answer.replace(" ", ""), (shown, answer.answer)
    assert answer.citations


def test_restricted_document_never_reaches_another_departments_staff(demo_chat):
    _, store = demo_chat
    doc = _doc("ict-security-audit")
    forbidden = doc_ids_titled(store, doc["title"])
    question = "상반기 정보보안 점검 결과 취약점이 몇 건 발견됐나요?"
    answer = ask(demo_chat, "traffic_staff", question)
    dumped = json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)
    assert not {c.doc_id for c in answer.citations} & forbidden
    for secret in ("214건", "IoT 게이트웨이", "모의해킹", doc["title"]):
        assert secret not in dumped, secret
    # positive control: a reader of the document gets it cited
    allowed = ask(demo_chat, "ict_head", question)
    assert {c.doc_id for c in allowed.citations} & forbidden


def test_unanswerable_question_says_not_found(demo_chat):
    answer = ask(demo_chat, "traffic_head", "포항시 우주정거장 건설 예산은 얼마인가요?")
    assert answer.not_found and not answer.citations


def test_ct_chat_json(demo_copy):  # noqa: ANN001
    from typer.testing import CliRunner

    from control_tower.cli import app

    result = CliRunner().invoke(
        app,
        ["chat", "--user", "ai_head", "--json", "우리 과 사업과 중복되는 다른 부서 사업이 있나요?"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= {"conversation_id", "answer", "citations", "steps"}
    assert out["citations"] and {"n", "doc_id", "title", "path", "page", "section", "text"} <= set(
        out["citations"][0]
    )
    assert out["steps"][0]["tool"] == "related_projects" and "seconds" in out["steps"][0]
    again = CliRunner().invoke(
        app,
        [
            "chat",
            "--user",
            "battery_head",
            "--conversation",
            out["conversation_id"],
            "--json",
            "예산은?",
        ],
    )
    assert again.exit_code != 0 and "대화를 찾을 수 없습니다" in again.output
