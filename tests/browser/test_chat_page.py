"""The AI 비서 page in the browser, on the real `ct serve --demo --no-llm`: a department head asks,
sees the tool steps stream in and the checked answer arrive (extractive without an LLM), opens
a cited passage from its [n] marker and finds it highlighted; the conversation is listed and
can be renamed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, snap

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TURN_TIMEOUT = 180_000  # one turn on a loaded 2-core machine, first use builds the service


def ask(page, question: str) -> None:
    before = page.get_by_test_id("chat-turn").count()
    page.get_by_label("질문").fill(question)
    page.get_by_test_id("chat-send").click()
    turn = page.get_by_test_id("chat-turn").nth(before)
    expect(turn.locator(".chat-step").first).to_be_visible(timeout=TURN_TIMEOUT)
    expect(turn.locator("[data-final=true]")).to_be_visible(timeout=TURN_TIMEOUT)
    expect(page.get_by_test_id("chat-send")).to_be_enabled()


def test_ask_stream_and_open_a_cited_passage(page):
    login(page, "traffic_head")
    page.get_by_test_id("nav-chat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI 비서")

    ask(page, "교통정책과 사업 예산을 다 합치면?")
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f]+$"))  # the new conversation's page
    snap(page, "aggregate")
    first = page.get_by_test_id("chat-turn").first
    expect(first.get_by_test_id("chat-answer")).not_to_be_empty()
    expect(page.get_by_test_id("chat-conversation")).to_have_count(1)

    ask(page, "AI 스마트 신호제어 시스템 도입 계획의 추진 목적은?")  # the same conversation
    snap(page, "search")
    second = page.get_by_test_id("chat-turn").nth(1)
    expect(second.get_by_test_id("chat-source").first).to_be_visible()
    conversation_url = page.url

    # a marker of a searched passage (a card value's marker goes to the source list instead)
    second.locator("[data-testid=chat-cite][href*='chunk=']").first.click()
    expect(page).to_have_url(re.compile(r"/documents/[^/]+/passage\?"))
    expect(page.get_by_test_id("cited-passage")).to_be_visible()
    snap(page, "passage")

    page.goto(conversation_url)  # both turns stored and rendered again
    expect(page.get_by_test_id("chat-turn")).to_have_count(2)
    page.once("dialog", lambda d: d.accept("신호제어 예산 문의"))
    page.get_by_test_id("chat-rename").first.click()
    expect(page.locator("#chat-thread-heading")).to_have_text("신호제어 예산 문의")
    page.reload()
    expect(page.get_by_test_id("chat-conversation").first).to_contain_text("신호제어 예산 문의")


def test_other_peoples_conversation_is_not_found(new_page, watch):
    head = new_page()
    login(head, "traffic_head", next_url="/chat")
    ask(head, "스마트 신호제어 사업이 있나요?")
    mine = head.url
    other = new_page()
    login(other, "welfare_staff")
    watch.allow(404, r"/chat/[0-9a-f]+$")
    other.goto(mine)
    expect(other.get_by_test_id("not-found")).to_contain_text("대화를 찾을 수 없습니다")
    other.goto("/chat")
    expect(other.get_by_test_id("chat-conversation")).to_have_count(0)
