"""Structure-aware chunking: sizes, overlap, heading context, tables, offsets."""

from __future__ import annotations

import pytest

from control_tower.domain import Block, BlockKind, DocumentMeta, ParsedDocument
from ingest.chunking import chunk_document, full_text
from ingest.errors import IngestError

META = DocumentMeta(
    doc_id="doc1",
    version=3,
    title="t",
    department="디지털융합산업과",
    source_path="/x",
    doc_type="docx",
    content_hash="h",
)


def sentence(i: int) -> str:
    return f"제{i}조 포항시는 인공지능 기반 행정 서비스를 단계적으로 확대하여 시민 편의를 높인다."


def doc(*blocks: Block) -> ParsedDocument:
    return ParsedDocument(blocks=list(blocks), parser="test")


def body(chunk) -> str:
    return chunk.text.split("] ", 1)[1] if chunk.section else chunk.text


def test_ids_offsets_and_full_text_contract():
    parsed = doc(
        Block(kind=BlockKind.heading, text="주요내용", level=1),
        Block(kind=BlockKind.heading, text="추진계획", level=2),
        *[
            Block(text=" ".join(sentence(i + j) for j in range(3)), paragraph_index=i)
            for i in range(12)
        ],
    )
    chunks = chunk_document(parsed, META, size=600, overlap=90)
    text = full_text(parsed)
    assert len(chunks) > 3
    for n, c in enumerate(chunks):
        assert c.chunk_id == f"doc1:3:{n}" and c.ordinal == n
        assert c.section == "주요내용 > 추진계획"
        assert c.text.startswith("[주요내용 > 추진계획] ")
        assert body(c) == text[c.char_start : c.char_end]
        assert len(body(c)) <= 600
        assert c.paragraph_index is not None
    # Consecutive chunks overlap (start before the previous end) but never by more than 90.
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert 0 < a.char_end - b.char_start <= 90
    # Together they cover the whole body text.
    assert chunks[0].char_start == text.index(sentence(0))
    assert chunks[-1].char_end == len(text)


def test_long_paragraph_split_at_sentence_boundaries():
    para = " ".join(sentence(i) for i in range(40))
    chunks = chunk_document(doc(Block(text=para, paragraph_index=0)), META, size=500, overlap=80)
    assert len(chunks) >= 5
    for c in chunks[:-1]:
        assert c.text.endswith("높인다."), c.text[-20:]


def test_short_table_never_split_and_starts_new_chunk():
    table = "| 사업 | 예산 |\n|---|---|\n" + "\n".join(f"| 사업{i} | {i}억원 |" for i in range(10))
    parsed = doc(
        Block(text=" ".join(sentence(i) for i in range(11)), paragraph_index=0),
        Block(kind=BlockKind.table, text=table, paragraph_index=1),
    )
    chunks = chunk_document(parsed, META, size=600, overlap=90)
    holding = [c for c in chunks if "| 사업0 |" in c.text]
    assert len(holding) == 1 and table in holding[0].text
    assert holding[0].text.startswith("| 사업 | 예산 |")  # no prose overlap glued on


def test_big_table_split_by_rows_with_header_repeated():
    rows = "\n".join(f"| {i}행 | 포항시 사업 설명 {i} |" for i in range(60))
    table = "| 번호 | 내용 |\n|---|---|\n" + rows
    parsed = doc(Block(kind=BlockKind.table, text=table, sheet="목록", row=1))
    chunks = chunk_document(parsed, META, size=400, overlap=60)
    assert len(chunks) > 3
    for c in chunks:
        assert c.text.startswith("| 번호 | 내용 |\n|---|---|\n")
        assert c.sheet == "목록"
        assert len(c.text) <= 400 + 30
    joined = "".join(c.text for c in chunks)
    assert all(f"| {i}행 |" in joined for i in range(60))


def test_section_change_starts_new_chunk_and_provenance_follows():
    parsed = doc(
        Block(kind=BlockKind.heading, text="1. 개요", level=1, page=1),
        Block(text=" ".join(sentence(i) for i in range(5)), page=1),
        Block(kind=BlockKind.heading, text="2. 예산", level=1, page=2),
        Block(text="총 사업비는 30억원이다.", page=2),
    )
    chunks = chunk_document(parsed, META, size=600, overlap=90)
    assert [c.section for c in chunks] == ["1. 개요", "2. 예산"]
    assert [c.page for c in chunks] == [1, 2]
    assert chunks[1].text == "[2. 예산] 총 사업비는 30억원이다."


def test_empty_document_raises_empty():
    with pytest.raises(IngestError) as e:
        chunk_document(doc(Block(text="|  |")), META, size=600, overlap=90)
    assert e.value.code == "empty" and e.value.status == "skipped"


def test_headings_only_document_still_chunks():
    chunks = chunk_document(
        doc(Block(kind=BlockKind.heading, text="포항시 2026 업무계획", level=1)),
        META,
        size=600,
        overlap=90,
    )
    assert len(chunks) == 1 and "포항시 2026 업무계획" in chunks[0].text


def test_defaults_come_from_settings(monkeypatch):
    from control_tower.settings import reset_settings_cache

    monkeypatch.setenv("CT_CHUNK_SIZE", "200")
    monkeypatch.setenv("CT_CHUNK_OVERLAP", "20")
    reset_settings_cache()
    try:
        para = " ".join(sentence(i) for i in range(20))
        chunks = chunk_document(doc(Block(text=para)), META)
        assert max(len(c.text) for c in chunks) <= 200
    finally:
        reset_settings_cache()


def test_table_keeps_repeated_numbers_and_column_alignment():
    from ingest.parsers.markdown_blocks import table_blocks

    rows = [
        ["연도", "국비", "도비", "시비"],
        ["2025", "16", "16", "16"],
        ["구분", "합계", "합계", "8"],
    ]
    (block,) = table_blocks(rows)
    lines = block.text.splitlines()
    assert lines[2] == "| 2025 | 16 | 16 | 16 |"  # numbers are data, never deduplicated
    assert lines[3] == "| 구분 | 합계 |  | 8 |"  # a replicated merged label, blanked in place
