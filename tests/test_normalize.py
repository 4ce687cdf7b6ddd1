"""Korean text normalization."""

from __future__ import annotations

import unicodedata

from control_tower.domain import Block, ParsedDocument
from ingest.normalize import PUA_MAP, normalize_document, normalize_text


def test_nfd_hangul_becomes_nfc():
    nfd = unicodedata.normalize("NFD", "포항시청")
    assert len(nfd) > 4 and normalize_text(nfd) == "포항시청"


def test_hancom_private_use_symbols_mapped_and_unknown_dropped():
    assert normalize_text("\U000f02b1 대국민 소통") == "❶ 대국민 소통"
    assert normalize_text("최신 버전의 \uf53a글") == "최신 버전의 한글"
    assert normalize_text("국가\uf85e지방자치단체") == "국가·지방자치단체"
    assert normalize_text("\uf0b7 항목") == "• 항목"
    assert normalize_text("알 수 없는\ue123 기호\U000f9999") == "알 수 없는 기호"
    assert all(not (0xE000 <= ord(v[0]) <= 0xF8FF) for v in PUA_MAP.values())


def test_control_characters_removed_but_newline_and_tab_kept():
    assert normalize_text("가\x00나\x07다\x1b라\x7f") == "가나다라"
    assert normalize_text("열1\t열2\n다음 줄") == "열1\t열2\n다음 줄"
    assert normalize_text("줄\r\n바꿈\r끝") == "줄\n바꿈\n끝"
    assert normalize_text("zero\u200bwidth\ufeff") == "zerowidth"


def test_whitespace_tidied():
    assert normalize_text("  [ 제    목 ]\u3000내용  \n\n\n\n다음\u00a0문단  ") == (
        "[ 제 목 ] 내용\n\n다음 문단"
    )


def test_idempotent():
    s = "  가\uf53a\x01  나\n\n\n다 "
    assert normalize_text(normalize_text(s)) == normalize_text(s)


def test_normalize_document_drops_blocks_left_empty_and_keeps_provenance():
    doc = ParsedDocument(
        title="\uf53a글 문서",
        blocks=[Block(text="\x07\ue000", page=1), Block(text=" 본문 ", page=2, paragraph_index=3)],
        parser="t",
    )
    out = normalize_document(doc)
    assert out.title == "한글 문서"
    assert [(b.text, b.page, b.paragraph_index) for b in out.blocks] == [("본문", 2, 3)]
