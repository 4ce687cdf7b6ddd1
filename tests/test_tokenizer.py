"""Kiwi tokenizer: content morphemes kept, particles dropped, identifiers whole, NFC."""

from __future__ import annotations

import unicodedata

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
