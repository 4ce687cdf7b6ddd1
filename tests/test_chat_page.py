"""The AI 비서 page (/chat): the caller's own conversations only, someone else's conversation is
the 404 page (like a missing one), anonymous callers go to the login page, every role has the
menu entry, and a stored answer is rendered as safe Markdown with its [n] passage links."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from control_tower.chat.service import ChatService
from control_tower.chat.types import ChatAnswer, ChatCitation
from control_tower.health import StartupState
from serving.app import create_app
from serving.routers.ui_chat_render import render_markdown
from tests.auth_helpers import login, make_user

DEPT = "교통정책과"
PASSAGE = "/documents/doc-1/passage?chunk=doc-1%3A1%3A0"
USERS = {"kim": ["staff"], "head": ["dept_head"], "ai": ["ai_division"], "root": ["admin"]}


@pytest.fixture
def app(settings):
    app = create_app(settings, startup=StartupState(phase="ready", llm_required=False))
    services = app.state.services
    for name, roles in USERS.items():
        make_user(services.store, name, DEPT, roles)
    make_user(services.store, "park", "기후환경과", ["staff"])
    # the real service on the real store; no retriever or tools are needed to list and render
    services.__dict__["chat"] = ChatService(settings, services.store, None, tools=[])
    put_document(services.store)
    return app


def put_document(store, access_level: str = "internal") -> None:  # noqa: ANN001
    """doc-1, the document the seeded answers cite, as the store knows it (re-checked)."""
    from control_tower.domain import DocumentMeta

    meta = DocumentMeta(
        doc_id="doc-1",
        title="스마트 주차 사업 계획",
        department=DEPT,
        access_level=access_level,
        source_path="/data/교통정책과/주차계획.hwpx",
        doc_type="hwpx",
        content_hash="h1",
    )
    store.begin_document(meta)


def signed_in(app, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    login(client, username)
    return client


def _answer(cid: str, text: str, citations: list[ChatCitation] | None = None) -> ChatAnswer:
    return ChatAnswer(conversation_id=cid, answer=text, citations=citations or [])


def _citation(n: int = 1, url: str = PASSAGE) -> ChatCitation:
    return ChatCitation(
        n=n,
        doc_id="doc-1",
        title="스마트 주차 사업 계획",
        path="교통정책과/주차계획.hwpx",
        page=3,
        section="2. 추진 배경",
        text="스마트 주차 안내 시스템 구축에 12억원을 투입한다. " * 5,
        url=url,
    )


def _seed(app, owner: str, question: str, answer_text: str, citations=None) -> str:
    repo = app.state.services.chat.conversations
    cid = repo.create(owner).id
    repo.add_turn(owner, cid, question, _answer(cid, answer_text, citations))
    return cid


def test_anonymous_goes_to_login(app):
    client = TestClient(app, follow_redirects=False)
    for path in ("/chat", "/chat/abc", "/chat/abc/last"):
        r = client.get(path)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login"), r.headers["location"]


def test_page_lists_only_own_conversations(app):
    _seed(app, "kim", "김의 주차 질문", "답 [1]", [_citation()])
    _seed(app, "park", "박의 비밀 질문", "비밀 답")
    r = signed_in(app, "kim").get("/chat")
    assert r.status_code == 200
    html = r.text
    assert "<h1>AI 비서</h1>" in html and 'data-testid="chat-form"' in html
    assert "김의 주차 질문" in html
    assert "박의 비밀 질문" not in html
    assert "chat.js" in html and "chat.css" in html
    assert "cdn" not in html.lower() and "https://" not in html  # local assets only


def test_someone_elses_conversation_is_not_found(app):
    other = _seed(app, "park", "박의 비밀 질문", "비밀 답: 예산 99억원")
    client = signed_in(app, "kim")
    for path in (f"/chat/{other}", f"/chat/{other}/last", "/chat/does-not-exist"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "대화를 찾을 수 없습니다" in r.text
        assert "박의 비밀 질문" not in r.text and "99억원" not in r.text
    assert signed_in(app, "park").get(f"/chat/{other}").status_code == 200


def test_nav_entry_for_every_role(app):
    for name in USERS:
        html = signed_in(app, name).get("/search").text
        assert 'href="/chat" data-testid="nav-chat"' in html, name
        assert ">AI 비서</a>" in html, name
    page = signed_in(app, "kim").get("/chat").text
    assert 'data-testid="nav-chat" aria-current="page"' in page


def test_stored_turn_renders_markdown_citations_and_sources(app):
    text = "예산 합계는 **12억원**입니다 [1].\n\n- 첫 사업 [1]\n- 둘째 사업 [2]"
    cid = _seed(app, "kim", "주차 예산은?", text, [_citation()])
    html = signed_in(app, "kim").get(f"/chat/{cid}").text
    assert "<strong>12억원</strong>" in html
    assert "<ul><li>첫 사업" in html
    href = PASSAGE.replace("&", "&amp;")
    assert f'class="chat-cite" href="{href}"' in html
    assert 'id="source-0-1"' in html
    assert "둘째 사업 [2]" in html  # no citation 2: the marker stays text, not a dead link
    assert 'data-testid="chat-source"' in html
    assert "교통정책과/주차계획.hwpx · 3쪽 · 2. 추진 배경" in html
    assert "스마트 주차 안내 시스템" in html and "…</q>" in html  # a short quote, cut


def test_last_turn_partial(app):
    cid = _seed(app, "kim", "첫 질문", "첫 답")
    repo = app.state.services.chat.conversations
    repo.add_turn("kim", cid, "둘째 질문", _answer(cid, "둘째 답 [1]", [_citation()]))
    r = signed_in(app, "kim").get(f"/chat/{cid}/last")
    assert r.status_code == 200
    assert "둘째 질문" in r.text and "첫 질문" not in r.text
    assert "<html" not in r.text  # a partial, not a page
    assert 'data-testid="chat-cite"' in r.text
    empty = repo.create("kim").id
    assert signed_in(app, "kim").get(f"/chat/{empty}/last").status_code == 204


def test_answer_html_is_escaped():
    evil = "<script>alert(1)</script> **<img src=x onerror=alert(1)>** [1] [2]"
    bad = _citation(2, url="javascript:alert(1)")
    html = str(render_markdown(evil, [_citation(), bad]))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<strong>&lt;img" in html
    assert "javascript:" not in html and 'href="#source-2"' in html  # not the given URL
    card_value = _citation(1, url="/documents/doc-1/passage?#cited")  # no chunk: would be a 404
    html = str(render_markdown("사업비 16억원 [1]", [card_value], "source-3-"))
    assert 'href="#source-3-1"' in html and "passage" not in html
    assert render_markdown("1. 하나\n2. 둘\n문단\n둘째 줄", []) == (
        "<ol><li>하나</li><li>둘</li></ol><p>문단<br>둘째 줄</p>"
    )


def test_answer_citing_a_document_no_longer_readable_is_hidden(app):
    cid = _seed(app, "kim", "주차 예산은?", "사업비는 **12억원**입니다 [1].", [_citation()])
    client = signed_in(app, "kim")
    assert "12억원" in client.get(f"/chat/{cid}").text
    put_document(app.state.services.store, access_level="restricted")  # narrowed since
    for path in (f"/chat/{cid}", f"/chat/{cid}/last"):
        html = client.get(path).text
        assert "12억원" not in html and "스마트 주차 안내 시스템" not in html, path
        assert "지금은 볼 수 없는 문서" in html, path
