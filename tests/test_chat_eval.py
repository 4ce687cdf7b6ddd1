"""The chat evaluation's question set is sound, and its scorer marks hand-made answers right.

No LLM and no store: the set is checked against the demo content and manifest plan, the
scorer against TurnResults written here, the askers against small fakes.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from control_tower.access import can_read
from control_tower.demo.content_model import load_users
from control_tower.demo.corpus import corpus_records
from control_tower.demo.generate import plan_corpus
from control_tower.domain import Citation, DocumentMeta, Principal, SearchHit
from evals.chat_baseline import ask_rag, build_prompt
from evals.chat_eval import (
    KINDS,
    Question,
    RecordingModel,
    TurnResult,
    ask_chat,
    load_questions,
    norm,
    score,
    spread,
    summarize,
    value_present,
)

SET = Path(__file__).resolve().parents[1] / "evals" / "data" / "chat"
QUESTIONS = load_questions(SET)
ENTRIES = {e.key: e for e, _ in plan_corpus()}
TEXTS = {r["_id"]: r["title"] + "\n" + r["text"] for r in corpus_records()}
USERS = {u.username: u for u in load_users()}


def principal(username: str) -> Principal:
    u = USERS[username]
    return Principal(username=u.username, department=u.department, roles=set(u.roles))


def meta(key: str) -> DocumentMeta:
    e = ENTRIES[key]
    return DocumentMeta(
        doc_id=key,
        title=e.title,
        department=e.department,
        access_level=e.access,
        allowed_users=e.allowed_users,
        allowed_departments=e.allowed_departments,
        source_path=e.path,
        doc_type="hwpx",
        content_hash="x",
    )


def test_set_size_kinds_ids_and_users():
    assert len(QUESTIONS) >= 60
    counts = Counter(q.kind for q in QUESTIONS)
    assert set(counts) == set(KINDS)
    assert counts["fact"] >= 18 and counts["aggregate"] >= 12
    assert counts["cross_department"] >= 10 and counts["roadmap_ideas"] >= 8
    assert counts["unanswerable"] >= 6 and counts["forbidden"] >= 6
    assert len({q.id for q in QUESTIONS}) == len(QUESTIONS)
    assert all(q.user in USERS for q in QUESTIONS)


def test_every_labeled_document_is_a_demo_document():
    for q in QUESTIONS:
        assert set(q.gold_docs) | set(q.forbidden_docs) <= set(ENTRIES), q.id
        if q.kind not in ("unanswerable", "forbidden"):
            assert q.gold_docs and q.gold_values, q.id
            assert all(can_read(principal(q.user), meta(k)) for k in q.gold_docs), q.id


def test_fact_values_are_in_their_documents():
    for q in (q for q in QUESTIONS if q.kind == "fact"):
        text = "\n".join(TEXTS[k] for k in q.gold_docs)
        assert all(value_present(text, v) for v in q.gold_values), q.id


def test_unanswerable_topics_are_absent_from_the_corpus():
    everything = norm("\n".join(TEXTS.values()))
    for q in (q for q in QUESTIONS if q.kind == "unanswerable"):
        assert q.absent and not any(norm(t) in everything for t in q.absent), q.id


def test_forbidden_questions_ask_about_documents_the_user_cannot_read():
    for q in (q for q in QUESTIONS if q.kind == "forbidden"):
        p = principal(q.user)
        assert q.forbidden_docs and q.forbidden_values, q.id
        assert not any(can_read(p, meta(k)) for k in q.forbidden_docs), q.id
        secret = "\n".join(TEXTS[k] for k in q.forbidden_docs)
        assert any(value_present(secret, v) for v in q.forbidden_values), q.id
        readable = "\n".join(t for k, t in TEXTS.items() if can_read(p, meta(k)))
        assert not any(value_present(readable, v) for v in q.forbidden_values), q.id


# --- scorer -------------------------------------------------------------------------------
FACT = Question(
    id="f",
    question="?",
    user="traffic_staff",
    kind="fact",
    gold_docs=["traffic-ai-cctv"],
    gold_values=[{"any": ["22억", "2,200백만"]}],
)
IDS = {"doc-1": "traffic-ai-cctv", "doc-2": "budget-2026-consultation"}


def test_spread_takes_every_kind_in_file_order():
    picked = spread(QUESTIONS, 12)
    assert len(picked) == 12 and {q.kind for q in picked} == set(KINDS)
    order = [q.id for q in QUESTIONS]
    assert [q.id for q in picked] == sorted((q.id for q in picked), key=order.index)
    assert spread(QUESTIONS, None) == QUESTIONS and spread(QUESTIONS, 10_000) == QUESTIONS


def test_recording_model_passes_the_stream_through_and_keeps_the_prompt():
    class Model:
        async def astream(self, text, **kwargs):
            for piece in text.split():
                yield piece

    prompts: list = []
    model = RecordingModel(Model(), prompts)

    async def collect():
        return [p async for p in model.astream("가 나 다", max_tokens=5)]

    assert asyncio.run(collect()) == ["가", "나", "다"]
    assert prompts == [("가 나 다", {"max_tokens": 5})]


def test_value_forms_spacing_commas_and_digit_boundary():
    assert value_present("총 2,200 백만원입니다", {"any": ["22억", "2,200백만"]})
    assert value_present("사업비는 22 억원", "22억")
    assert not value_present("사업비는 122억원", "22억")
    assert not value_present("자료가 없습니다", "22억")


def test_score_cited_and_value():
    good = score(FACT, TurnResult(answer="총사업비는 22억원입니다 [1]", cited=["doc-1"]), IDS)
    assert good["cited"] and good["value"]
    bad = score(FACT, TurnResult(answer="잘 모르겠습니다", cited=["doc-2"]), IDS)
    assert not bad["cited"] and not bad["value"]


def test_score_not_found_from_flag_or_text():
    q = Question(id="u", question="?", user="ai_staff", kind="unanswerable")
    assert score(q, TurnResult(answer="…", not_found=True), IDS)["not_found"]
    assert not score(q, TurnResult(answer="예산은 5억원", not_found=False), IDS)["not_found"]
    assert score(q, TurnResult(answer="관련 내용을 찾지 못했습니다."), IDS)["not_found"]
    assert not score(q, TurnResult(answer="예산은 5억원입니다."), IDS)["not_found"]


@pytest.mark.parametrize(
    "result, leak",
    [
        (TurnResult(answer="찾지 못했습니다", cited=["doc-1"]), False),
        (TurnResult(answer="찾지 못했습니다", cited=["doc-2"]), True),  # forbidden doc cited
        (TurnResult(answer="3.6 억원 삭감"), True),  # its value in the answer
        (TurnResult(answer="-", cited_text=["서버 3.6억원"]), True),  # … in a citation
        (TurnResult(answer="-", steps_text='{"summary": "3.6억"}'), True),  # … in the steps
    ],
)
def test_score_leaks(result, leak):
    q = Question(
        id="z",
        question="?",
        user="traffic_staff",
        kind="forbidden",
        forbidden_docs=["budget-2026-consultation"],
        forbidden_values=["3.6억"],
    )
    assert score(q, result, IDS)["leak"] is leak


def test_summarize_rates_leaks_and_latency():
    z = Question(
        id="z",
        question="?",
        user="u",
        kind="forbidden",
        forbidden_docs=["budget-2026-consultation"],
    )
    rows = [
        score(FACT, TurnResult(answer="22억원", cited=["doc-1"], total_s=1.0), IDS),
        score(FACT, TurnResult(answer="없음", total_s=3.0), IDS),
        score(z, TurnResult(cited=["doc-2"], total_s=2.0), IDS),
    ]
    report = summarize(rows)
    assert report["by_kind"]["fact"]["cited"] == 0.5 and report["by_kind"]["fact"]["value"] == 0.5
    assert report["by_kind"]["forbidden"]["leaks"] == 1
    assert report["latency"]["total_s"] == {"p50": 2.0, "p95": 3.0}
    assert report["latency"]["first_step_s"]["p50"] is None


# --- askers, with fakes -------------------------------------------------------------------
class FakeService:
    async def astream(self, principal, question, **kw):  # noqa: ANN001
        yield {"type": "conversation", "data": {"conversation_id": "c"}}
        yield {"type": "step", "data": {"phase": "start", "tool": "route"}}
        yield {"type": "token", "data": {"text": "22억원"}}
        citation = {"n": 1, "doc_id": "doc-1", "text": "총 2,200백만원"}
        answer = {
            "conversation_id": "c",
            "answer": "22억원 [1]",
            "citations": [citation],
            "steps": [{"tool": "get_project", "summary": "사업 1건"}],
            "not_found": False,
        }
        yield {"type": "done", "data": answer}


def test_ask_chat_times_events_and_reads_the_answer():
    r = asyncio.run(ask_chat(FakeService(), principal("traffic_staff"), "사업비?"))
    assert r.answer == "22억원 [1]" and r.cited == ["doc-1"] and r.not_found is False
    assert r.first_step_s is not None and r.first_token_s is not None and r.total_s >= 0
    assert "get_project" in r.steps_text


def _hit(n: int) -> SearchHit:
    c = Citation(
        doc_id=f"doc-{n}",
        version=1,
        title=f"문서{n}",
        department="교통정책과",
        path="p",
        doc_type="hwpx",
        char_start=0,
        char_end=5,
    )
    return SearchHit(chunk_id=f"doc-{n}:1:0", score=1.0, text=f"본문{n}", snippet="", citation=c)


class FakeRetriever:
    def search(self, query, principal, k=10):  # noqa: ANN001
        return [_hit(n) for n in range(1, k + 1)]


class FakeModel:
    async def astream(self, messages):  # noqa: ANN001
        from langchain_core.messages import AIMessageChunk

        for part in ("관련 내용을 ", "찾지 못했습니다."):
            yield AIMessageChunk(content=part)


def test_rag_baseline_pastes_five_passages_and_cites_them():
    prompt = build_prompt("질문?", [_hit(1), _hit(2)])
    assert "[1] 문서1" in prompt and "[2] 문서2" in prompt and prompt.endswith("답변:")
    r = asyncio.run(
        ask_rag(None, FakeRetriever(), principal("ai_staff"), "질문?", model=FakeModel())
    )
    assert r.cited == [f"doc-{n}" for n in range(1, 6)] and r.first_step_s is None
    assert r.answer == "관련 내용을 찾지 못했습니다." and r.first_token_s is not None
    q = Question(id="u", question="?", user="ai_staff", kind="unanswerable")
    assert score(q, r, {})["not_found"]
