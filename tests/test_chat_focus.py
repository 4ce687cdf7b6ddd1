"""What part of a passage the chat shows and quotes, and when search passages are irrelevant.

Pure functions over hand-written passages shaped like the demo's 사업계획서 chunks (a title
line, then an overview table), so no store or model is needed.
"""

from __future__ import annotations

from control_tower.chat.graph.compose import detail_quotes, question_terms, relevant_evidence
from control_tower.chat.graph.evidence import Pool
from control_tower.chat.graph.focus import asks_beyond, focus, segments
from control_tower.chat.types import Evidence

TITLE = "하천 범람 AI 예측 및 조기경보 체계 구축 계획"
PASSAGE = (
    "하천 범람 AI 예측 및 조기경보 체계 구축 계획\n문서번호: 재난안전과-2025-031\n"
    "| 구분 | 내용 |\n|---|---|\n| 사업명 | 하천 범람 AI 예측 및 조기경보 체계 구축 |\n"
    "| 사업비 | 총 3,200백만원 |\n| 대상하천 | 냉천, 칠성천 등 지방하천 9개소 |\n"
    "1. 추진배경 ○ 국지성 집중호우가 잦아졌다. 현행 경보는 수위 기준이다."
)
QUESTION = "하천 범람 AI 예측 및 조기경보 체계 구축 사업의 대상 하천은 몇 개소인가요?"


def test_segments_are_lines_and_sentences():
    assert segments("가나다.  라마바\n\n| 행 | 값 |") == ["가나다.", "라마바", "| 행 | 값 |"]
    assert segments("") == []


def test_focus_finds_the_row_with_what_is_asked_not_the_title_line():
    terms = question_terms(QUESTION)
    window = focus(PASSAGE, terms, TITLE, width=60)
    assert window.startswith("| 대상하천 | 냉천, 칠성천 등 지방하천 9개소 |")
    # the plain first characters would show the title and the document number only
    assert "9개소" not in PASSAGE[:60]


def test_focus_without_any_term_starts_at_the_top_and_keeps_the_width():
    window = focus(PASSAGE, ["없는말"], TITLE, width=50)
    assert window.startswith("하천 범람") and len(window) <= 50


def test_a_detail_beyond_the_card_facts_is_quoted_once():
    terms = question_terms(QUESTION)
    known = "하천 범람 AI 예측 및 조기경보 체계 구축 사업의 사업비는 32억원입니다 [1]."
    assert asks_beyond(PASSAGE, terms, TITLE, known)
    assert not asks_beyond(PASSAGE, terms, TITLE, known + " 대상")  # already said
    pool = Pool(evidence=[Evidence(doc_id="d1", title=TITLE, text=PASSAGE)])
    quotes = detail_quotes(pool, [1], terms, known)
    assert len(quotes) == 1 and "9개소" in quotes[0] and quotes[0].endswith("[1]")


def _pool(*texts: str) -> Pool:
    return Pool(evidence=[Evidence(doc_id=f"d{i}", title="", text=t) for i, t in enumerate(texts)])


def test_passages_missing_the_questions_topic_are_not_relevant():
    pool = _pool(
        "관광과 포항여행톡 챗봇 플랫폼 구축 사업, 관광 안내를 자동화한다.",
        "스마트 관광 플랫폼 운영 현황",
    )
    tools = ["search_documents", "search_documents"]
    # 메타버스 is in neither passage: both are about other 관광 플랫폼 projects
    assert (
        relevant_evidence(
            question_terms("포항 메타버스 관광 플랫폼 구축 사업의 기간은?"), pool, tools
        )
        == []
    )
    assert relevant_evidence(
        question_terms("포항여행톡 챗봇 플랫폼 구축 사업의 기간은?"), pool, tools
    ) == [1]


def test_card_evidence_is_never_gated():
    pool = _pool("전혀 다른 내용", "또 다른 내용")
    tools = ["get_project", "search_documents"]
    assert relevant_evidence(question_terms("메타버스 관광 플랫폼 구축 기간"), pool, tools) == [1]
