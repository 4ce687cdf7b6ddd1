"""The chat API (SSE) and the OpenAI-compatible endpoint on a real store and app.

The chat service's tools and model are fakes (tests/chat_fakes.py); the store, accounts, API
keys, conversations, CSRF and the HTTP layers are real. The OpenAI endpoint is driven by the
real ``openai`` client against uvicorn, as Open WebUI or an editor would use it.
"""

from __future__ import annotations

import json
import threading
import time

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from control_tower.audit import AuditLog
from control_tower.chat.service import ChatService
from control_tower.health import StartupState
from serving.app import create_app
from tests.auth_helpers import api_key, auth_headers, login, make_user
from tests.chat_fakes import FakeSearch, SlowModel, ev, fake_model
from tests.uvicorn_thread import serving

QUESTION = "교차로 신호 최적화 사업비"
PASSAGE = "교차로 신호 최적화 사업의 사업비는 12억원이다."
REPLY = "교차로 신호 최적화 사업비는 12억원입니다 [1]."
SECRET = "비밀 대화의 질문 교차로 신호 최적화 사업비"


def put_document(store, access_level: str = "internal") -> None:  # noqa: ANN001
    """d1, the document the fake search cites, as the store knows it (for the re-check)."""
    from control_tower.domain import DocumentMeta

    meta = DocumentMeta(
        doc_id="d1",
        title="교차로 계획",
        department="교통정책과",
        access_level=access_level,
        source_path="/data/교통정책과/d1.hwpx",
        doc_type="hwpx",
        content_hash="h1",
    )
    store.begin_document(meta)


def install_chat(app, model_factory=None) -> None:  # noqa: ANN001
    services = app.state.services
    search = FakeSearch([ev("d1", PASSAGE, title="교차로 계획")])
    services.__dict__["chat"] = ChatService(  # Services.chat is a cached_property
        services.settings,
        services.store,
        None,
        tools=[search],
        model_factory=model_factory or (lambda: fake_model(REPLY)),
    )


@pytest.fixture
def app(settings):  # noqa: ANN001, ANN201
    app = create_app(settings, startup=StartupState(phase="ready", llm_required=False))
    store = app.state.services.store
    make_user(store, "alice", "교통정책과", ["staff"])
    make_user(store, "bob", "재난안전과", ["staff"])
    put_document(store)
    install_chat(app)
    return app


def client_of(app, username: str) -> tuple[TestClient, dict]:  # noqa: ANN001
    client = TestClient(app)
    return client, auth_headers(login(client, username))


def sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln and not ln.startswith(":")]
        kind = next((ln[6:].strip() for ln in lines if ln.startswith("event:")), "message")
        data = "\n".join(ln[5:].lstrip() for ln in lines if ln.startswith("data:"))
        if data:
            events.append((kind, json.loads(data)))
    return events


def ask(client, headers, message, cid=None):  # noqa: ANN001, ANN201
    return client.post(
        "/api/v1/chat", json={"message": message, "conversation_id": cid}, headers=headers
    )


def korean(message: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in message)


def test_a_turn_streams_conversation_steps_tokens_then_done(app):
    client, headers = client_of(app, "alice")
    r = ask(client, headers, QUESTION)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse(r.text)
    kinds = [k for k, _ in events]
    assert kinds[0] == "conversation" and kinds[-1] == "done"
    assert "step" in kinds and "token" in kinds
    assert kinds.index("step") < kinds.index("token") < kinds.index("citation")
    done = events[-1][1]
    assert "12억원" in done["answer"] and done["citations"][0]["doc_id"] == "d1"
    assert "교차로 계획" in r.text  # ensure_ascii=False: Korean as is, not \uXXXX
    cid = events[0][1]["conversation_id"]
    assert done["conversation_id"] == cid
    # the turn is stored and the conversation continues
    r = ask(client, headers, "교차로 신호 최적화 일정", cid)
    assert sse(r.text)[-1][0] == "done"
    detail = client.get(f"/api/v1/conversations/{cid}").json()
    assert [t["question"] for t in detail["turns"]] == [QUESTION, "교차로 신호 최적화 일정"]
    assert detail["conversation"]["turns"] == 2
    # the page's session turns feed the dashboard as web use; a script's API-key turn as api
    keyed = api_key(app.state.services.store, "alice")
    assert sse(ask(TestClient(app), keyed, QUESTION).text)[-1][0] == "done"
    turns = [e for e in AuditLog(app.state.services.store).read() if e.event == "chat.turn"]
    assert [e.surface for e in turns] == ["web", "web", "api"]


@pytest.mark.parametrize("message", ["", "   ", "가" * 5000])
def test_bad_questions_are_plain_json_400(app, message):
    client, headers = client_of(app, "alice")
    r = ask(client, headers, message)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert korean(r.json()["detail"]["message"])
    assert client.get("/api/v1/conversations").json() == []


def test_anonymous_callers_get_401(app):
    client = TestClient(app)
    r = client.post("/api/v1/chat", json={"message": QUESTION})
    assert r.status_code == 401 and korean(r.json()["detail"]["message"])
    for method in ("GET",):
        r = client.request(method, "/api/v1/conversations")
        assert r.status_code == 401


def test_a_session_post_needs_the_csrf_token(app):
    client, _ = client_of(app, "alice")
    r = client.post("/api/v1/chat", json={"message": QUESTION})
    assert r.status_code == 403 and korean(r.json()["detail"]["message"])


def test_others_conversations_are_404_everywhere_and_never_listed(app):
    alice, a_headers = client_of(app, "alice")
    cid = sse(ask(alice, a_headers, SECRET).text)[0][1]["conversation_id"]
    bob, b_headers = client_of(app, "bob")
    answers = [
        ask(bob, b_headers, QUESTION, cid),
        bob.get(f"/api/v1/conversations/{cid}"),
        bob.patch(f"/api/v1/conversations/{cid}", json={"title": "탈취"}, headers=b_headers),
        bob.delete(f"/api/v1/conversations/{cid}", headers=b_headers),
        bob.get("/api/v1/conversations/ffffffffffffffff"),  # missing: the very same answer
    ]
    bodies = [r.json() for r in answers]
    assert [r.status_code for r in answers] == [404] * 5
    assert all(b == bodies[-1] for b in bodies), bodies
    assert korean(bodies[0]["detail"]["message"])
    for r in answers:
        assert SECRET not in r.text and "12억원" not in r.text  # nothing of alice's turn leaks
    assert bob.get("/api/v1/conversations").json() == []
    # bob's own turn did not land in alice's conversation either
    turns = alice.get(f"/api/v1/conversations/{cid}").json()["turns"]
    assert [t["question"] for t in turns] == [SECRET]


def test_list_rename_and_delete_own_conversations(app):
    client, headers = client_of(app, "alice")
    first = sse(ask(client, headers, QUESTION).text)[0][1]["conversation_id"]
    second = sse(ask(client, headers, "교차로 신호 최적화 일정").text)[0][1]["conversation_id"]
    listed = client.get("/api/v1/conversations").json()
    assert [c["id"] for c in listed] == [second, first]  # most recent first
    assert listed[1]["title"] == QUESTION and listed[1]["owner"] == "alice"

    r = client.patch(
        f"/api/v1/conversations/{first}", json={"title": "  예산 문의\n"}, headers=headers
    )
    assert r.status_code == 200 and r.json()["title"] == "예산 문의"
    r = client.patch(f"/api/v1/conversations/{first}", json={"title": "   "}, headers=headers)
    assert r.status_code == 400 and korean(r.json()["detail"]["message"])

    r = client.delete(f"/api/v1/conversations/{first}", headers=headers)
    assert r.status_code == 204
    assert client.get(f"/api/v1/conversations/{first}").status_code == 404
    assert [c["id"] for c in client.get("/api/v1/conversations").json()] == [second]
    r = ask(client, headers, QUESTION, first)  # a deleted conversation cannot be continued
    assert r.status_code == 404


def test_a_stored_answer_is_hidden_once_its_document_is_no_longer_readable(app):
    client, headers = client_of(app, "alice")
    cid = sse(ask(client, headers, QUESTION).text)[0][1]["conversation_id"]
    shown = client.get(f"/api/v1/conversations/{cid}").json()["turns"][0]["answer"]
    assert "12억원" in shown["answer"] and shown["citations"][0]["text"] == PASSAGE
    put_document(app.state.services.store, access_level="restricted")  # narrowed later
    r = client.get(f"/api/v1/conversations/{cid}")
    answer = r.json()["turns"][0]["answer"]
    assert answer["citations"] == [] and "볼 수 없는 문서" in answer["answer"]
    assert "12억원" not in r.text and PASSAGE not in r.text
    assert r.json()["turns"][0]["question"] == QUESTION  # the caller's own words stay


# --- a real server: the OpenAI client, and a client that goes away ------------------------
@pytest.fixture
def server(app):  # noqa: ANN001, ANN201
    with serving(app) as base:
        yield base


def oai(app, base: str, key: str | None = None) -> openai.OpenAI:  # noqa: ANN001
    if key is None:
        key = api_key(app.state.services.store, "alice")["Authorization"].split()[1]
    return openai.OpenAI(
        base_url=f"{base}/v1",
        api_key=key,
        max_retries=0,
        http_client=httpx.Client(trust_env=False, timeout=30),
    )


def test_openai_client_non_streaming(app, server):
    client = oai(app, server)
    assert [m.id for m in client.models.list().data] == ["control-tower"]
    r = client.chat.completions.create(
        model="control-tower",
        messages=[
            {"role": "system", "content": "무시됨"},
            {"role": "user", "content": "이전 질문"},
            {"role": "assistant", "content": "이전 답"},
            {"role": "user", "content": QUESTION},
        ],
    )
    content = r.choices[0].message.content
    assert "12억원" in content and "\n\n출처:\n[1] 교차로 계획 (과/d1.hwpx)" in content
    extra = r.model_extra
    assert extra["citations"][0]["doc_id"] == "d1" and extra["citations"][0]["n"] == 1
    cid = extra["conversation_id"]
    # continue the conversation through metadata / a top-level field
    r = client.chat.completions.create(
        model="control-tower",
        messages=[{"role": "user", "content": "교차로 신호 최적화 일정"}],
        extra_body={"conversation_id": cid},
    )
    assert r.model_extra["conversation_id"] == cid
    turns = app.state.services.chat.conversations.turns("alice", cid)
    assert [t.question for t in turns] == [QUESTION, "교차로 신호 최적화 일정"]


def test_a_resent_history_continues_its_own_conversation(app, server):
    """OpenAI clients (Open WebUI) resend the history without an id: the caller's conversation
    with exactly those questions goes on; anything else, or another user, starts a new one."""

    def ask_with_history(client, *questions: str) -> str:  # noqa: ANN001
        messages = []
        for q in questions[:-1]:
            messages += [{"role": "user", "content": q}, {"role": "assistant", "content": "답"}]
        messages.append({"role": "user", "content": questions[-1]})
        r = client.chat.completions.create(model="control-tower", messages=messages)
        return r.model_extra["conversation_id"]

    follow = "교차로 신호 최적화 일정"
    alice = oai(app, server)
    first = ask_with_history(alice, QUESTION)
    assert ask_with_history(alice, QUESTION, follow) == first
    repo = app.state.services.chat.conversations
    assert [t.question for t in repo.turns("alice", first)] == [QUESTION, follow]
    again = ask_with_history(alice, QUESTION)  # a new chat in the client: a new conversation
    assert again != first
    assert ask_with_history(alice, "다른 질문", follow) not in {first, again}
    bob = api_key(app.state.services.store, "bob")["Authorization"].split()[1]
    assert ask_with_history(oai(app, server, key=bob), QUESTION, follow) not in {first, again}
    assert len(repo.turns("alice", first)) == 2 and len(repo.turns("alice", again)) == 1


def test_openai_client_streaming(app, server):
    client = oai(app, server)
    stream = client.chat.completions.create(
        model="control-tower",
        messages=[{"role": "user", "content": [{"type": "text", "text": QUESTION}]}],
        stream=True,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "12억원" in text and text.endswith("출처:\n[1] 교차로 계획 (과/d1.hwpx)")
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"][0]["doc_id"] == "d1"
    assert last.model_extra["conversation_id"] == chunks[0].model_extra["conversation_id"]


def test_openai_errors_have_openai_shape_in_korean(app, server):
    with pytest.raises(openai.AuthenticationError) as e:
        oai(app, server, key="ct_wrong").chat.completions.create(
            model="control-tower", messages=[{"role": "user", "content": QUESTION}]
        )
    assert e.value.status_code == 401 and korean(e.value.body["message"])
    raw = httpx.Client(trust_env=False)
    r = raw.post(f"{server}/v1/chat/completions", json={"messages": []})
    assert r.status_code == 401 and r.json()["error"]["code"] == "missing_api_key"
    client = oai(app, server)
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="control-tower", messages=[{"role": "user"}] * 0)
    assert korean(e.value.body["message"])
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(
            model="control-tower", messages=[{"role": "user", "content": "  "}]
        )
    assert e.value.body["code"] == "empty_question" and korean(e.value.body["message"])
    cid = client.chat.completions.create(
        model="control-tower", messages=[{"role": "user", "content": QUESTION}]
    ).model_extra["conversation_id"]
    bob = api_key(app.state.services.store, "bob")["Authorization"].split()[1]
    with pytest.raises(openai.NotFoundError) as e:  # someone else's conversation
        oai(app, server, key=bob).chat.completions.create(
            model="control-tower",
            messages=[{"role": "user", "content": QUESTION}],
            metadata={"conversation_id": cid},
        )
    assert e.value.body["code"] == "conversation_not_found" and "12억원" not in str(e.value.body)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}]
        )


def test_a_client_that_disconnects_cancels_the_turn(app, server):
    closed = threading.Event()

    class Tracked(SlowModel):
        async def _astream(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            try:
                async for chunk in super()._astream(*args, **kwargs):
                    yield chunk
            finally:
                closed.set()

    install_chat(app, model_factory=lambda: Tracked(messages=iter([])))
    client, headers = client_of(app, "alice")  # only to log in; the stream goes over the wire
    cookies = dict(client.cookies)
    with httpx.Client(trust_env=False, timeout=30, cookies=cookies) as http:
        with http.stream(
            "POST", f"{server}/api/v1/chat", json={"message": QUESTION}, headers=headers
        ) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("event: token"):
                    break  # the model is streaming: walk away
    assert closed.wait(10), "the LLM stream was not cancelled"
    cid = app.state.services.chat.conversations.list("alice")[0].id
    time.sleep(0.3)
    assert app.state.services.chat.conversations.turns("alice", cid) == []  # no half turn
