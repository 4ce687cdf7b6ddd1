"""Kiwi tokenizer: content morphemes kept, particles dropped, identifiers whole, NFC."""

from __future__ import annotations

import unicodedata

import pytest

from control_tower.index.korean_tokenizer import (
    COMPOUND_TAG,
    normalize,
    term_spans,
    tokenize,
    tokenize_batch,
)


def test_particles_and_endings_are_dropped():
    terms = tokenize("플랫폼을 구축하였습니다")
    assert "플랫폼" in terms
    assert "구축" in terms
    assert not any(t in terms for t in ("을", "하", "였", "습니다", "플랫폼을"))


def test_same_noun_with_different_particles_gives_same_terms():
    assert set(tokenize("데이터플랫폼의")) == set(tokenize("데이터플랫폼을"))


def test_w_serial_identifier_kept_whole():
    terms = tokenize("공고 제2025-121호에 따라")
    assert "2025-121" in terms
    assert "공고" in terms


def test_url_kept_whole_and_latin_lowercased():
    terms = tokenize("자세한 내용은 https://www.pohang.go.kr 의 AI CCTV 안내 참조")
    assert "https://www.pohang.go.kr" in terms
    assert "ai" in terms and "cctv" in terms
    assert "AI" not in terms


def test_nfd_input_equals_nfc_input():
    text = "통합데이터플랫폼 구축 사업에 관한 공고"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert tokenize(nfd) == tokenize(text)


def test_compound_written_with_and_without_spaces_shares_terms():
    spaced = set(tokenize("통합 데이터 플랫폼"))
    joined = set(tokenize("통합데이터플랫폼"))
    assert {"통합데이터", "데이터플랫폼"} <= spaced
    assert {"통합데이터", "데이터플랫폼"} <= joined


def test_particle_breaks_compound():
    # "데이터를 플랫폼" is not the compound 데이터플랫폼.
    assert "데이터플랫폼" not in tokenize("데이터를 플랫폼에 올린다")


def test_unknown_long_noun_gets_bigrams():
    # Kiwi keeps 스마트시티 as one noun; its bigrams let "시티" alone still match.
    terms = tokenize("스마트시티 추진")
    assert "스마트시티" in terms
    assert "시티" in terms


def test_spans_point_into_nfc_text():
    text = normalize("포항시 플랫폼을 구축")
    for span in term_spans(text):
        if span.tag == COMPOUND_TAG:
            continue
        assert text[span.start : span.end].lower() == span.term


def test_batch_equals_single_and_handles_empty():
    texts = ["부가가치세 면제 여부", "", "   ", "시험료를 받는 경우"]
    assert tokenize_batch(texts) == [tokenize(t) for t in texts]
    assert tokenize("") == []


# --- Latin words followed by punctuation (issue 7: "Kubernetes." was cut into kuber/netes.) ---
def test_latin_word_before_full_stop_stays_whole():
    terms = tokenize("컨테이너는 Kubernetes. 대화형 AI는 ChatGPT.")
    assert "kubernetes" in terms and "chatgpt" in terms
    assert not any(t in terms for t in ("kuber", "netes.", "ch", "atgpt.", "kubernetes."))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Python, Java 교육", {"python", "java"}),
        ("생성형 AI) 도입", {"ai"}),
        ("GPT-4. 모델", {"gpt", "4"}),
        ("사용한다 Kubernetes. 그리고 ChatGPT. 또한 AI.", {"kubernetes", "chatgpt", "ai"}),
        ("iPhone.", {"iphone"}),
        ("TensorFlow...", {"tensorflow"}),
        ("Kubernetes.다음 단계", {"kubernetes", "다음"}),
        ("Node.js.", {"node.js"}),
    ],
)
def test_latin_word_followed_by_punctuation_matches_the_bare_word(text, expected):
    terms = set(tokenize(text))
    assert expected <= terms, terms
    assert not any(t.endswith(".") for t in terms)


def test_latin_query_finds_sentence_final_word_terms():
    # The query side and the index side must agree: the bare word matches the indexed text.
    for word in ("Kubernetes", "ChatGPT", "Python", "AI"):
        assert set(tokenize(word)) <= set(tokenize(f"우리 시는 {word}.")), word


def test_latin_spans_cover_the_word_without_the_full_stop():
    text = normalize("도입 대상은 Kubernetes. 그리고 ChatGPT.")
    spans = {s.term: s for s in term_spans(text) if s.tag == "SL"}
    for term, word in (("kubernetes", "Kubernetes"), ("chatgpt", "ChatGPT")):
        s = spans[term]
        assert text[s.start : s.end] == word


def test_serial_still_whole_next_to_a_full_stop():
    assert "2025-121" in tokenize("공고 제2025-121호. 참조")
    assert "2025-121" in tokenize("번호는 2025-121.")


def test_email_kept_whole_before_full_stop():
    assert "pohang@korea.kr" in tokenize("문의: pohang@korea.kr.")
