"""Structure-aware chunking of a parsed, normalized document.

Definitions the rest of the system relies on:

- **Full text** of a document = its block texts joined by ``"\\n\\n"`` (``full_text(parsed)``).
  ``Chunk.char_start``/``char_end`` are offsets into it, so a citation can highlight the span.
- **Chunk body** = ``full_text[char_start:char_end]``, with one exception: a table too big
  for one chunk is split by rows and every piece after the first gets the table's header
  rows prepended (so each piece still says what its columns mean).
- **Chunk text** (what is embedded and indexed) = ``"[섹션 > 하위섹션] "`` + body when the
  chunk sits under headings, else the body alone. ``Chunk.section`` is that path.

Packing: blocks are packed greedily up to ``size`` body characters; a long block is split at
sentence / line boundaries; a table that fits in one chunk is never split (it starts a new
chunk instead); a new section starts a new chunk once the current one is a third full.
Consecutive chunks of the same section overlap by up to ``overlap`` characters of prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from control_tower.domain import Block, BlockKind, Chunk, DocumentMeta, ParsedDocument
from ingest.errors import IngestError

SEPARATOR = "\n\n"
MAX_HEADING_CHARS = 40  # per heading in the section path: the prefix must not eat the chunk
MIN_DOCUMENT_CHARS = 2  # fewer meaningful characters than this = nothing worth indexing
# A document of at least REPEAT_MIN_CHUNKS chunks of which fewer than REPEAT_MIN_UNIQUE_SHARE
# differ is one text repeated (a 42 KB DOCX of one line × 12,000 made 800 identical chunks):
# indexing it costs minutes and every copy answers the same queries. Real documents in the
# shared corpora all stay under 50 chunks, none close to 90 % duplicates.
REPEAT_MIN_CHUNKS = 100
REPEAT_MIN_UNIQUE_SHARE = 0.1

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=다\.)|\n+")


def full_text(parsed: ParsedDocument) -> str:
    """The document's normalized full text: block texts joined by a blank line."""
    return SEPARATOR.join(b.text for b in parsed.blocks)


def is_effectively_empty(parsed: ParsedDocument) -> bool:
    return len(re.sub(r"[\s|:\-]", "", full_text(parsed))) < MIN_DOCUMENT_CHARS


@dataclass
class _Unit:
    """A piece of one block: the atom of packing."""

    start: int
    end: int
    block: Block
    section: str | None
    is_table: bool
    header: str = ""  # table header lines to prepend when this is a later table piece


def _section_label(stack: list[tuple[int, str]]) -> str | None:
    if not stack:
        return None
    parts = []
    for _, text in stack:
        one_line = " ".join(text.split())
        parts.append(
            one_line if len(one_line) <= MAX_HEADING_CHARS else one_line[:MAX_HEADING_CHARS] + "…"
        )
    return " > ".join(parts)


def _split_prose(text: str, base: int, size: int) -> list[tuple[int, int]]:
    """Spans (absolute offsets) of ≤ ``size`` pieces, cut at sentence or line ends when
    possible, else at the last space, else hard."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while len(text) - pos > size:
        window = text[pos : pos + size + 1]
        cut = 0
        for m in _SENTENCE_END.finditer(window):
            if size // 3 <= m.start() <= size:
                cut = m.start()
        if not cut:
            space = window.rfind(" ", size // 3, size)
            cut = space if space > 0 else size
        piece_end = pos + cut
        spans.append((base + pos, base + piece_end))
        pos = piece_end
        while pos < len(text) and text[pos] in " \n":
            pos += 1
    if pos < len(text):
        spans.append((base + pos, base + len(text)))
    return spans


def _split_table(text: str, base: int, size: int) -> list[tuple[int, int, str]]:
    """Row-aligned spans of a Markdown table, each ≤ ``size`` with the header prepended;
    returns (start, end, header-to-prepend)."""
    lines = text.split("\n")
    has_header = len(lines) > 2 and set(lines[1].replace("|", "").strip()) <= set("-: ")
    header = "\n".join(lines[:2]) + "\n" if has_header else ""
    pieces: list[tuple[int, int, str]] = []
    offset = 0
    start = 0
    length = 0
    for i, line in enumerate(lines):
        line_len = len(line) + 1
        if length and length + line_len > size - (len(header) if pieces else 0):
            pieces.append((base + start, base + offset - 1, header if pieces else ""))
            start = offset
            length = 0
        length += line_len
        offset += line_len
        if i == len(lines) - 1:
            pieces.append((base + start, base + len(text), header if pieces else ""))
    return pieces


def _units(parsed: ParsedDocument, size: int, overlap: int) -> list[_Unit]:
    units: list[_Unit] = []
    stack: list[tuple[int, str]] = []
    pos = 0
    headings_only: list[_Unit] = []
    for block in parsed.blocks:
        start, end = pos, pos + len(block.text)
        pos = end + len(SEPARATOR)
        if block.kind == BlockKind.heading:
            level = block.level or 1
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, block.text))
            headings_only.append(_Unit(start, end, block, _section_label(stack[:-1]), False))
            continue
        section = _section_label(stack)
        if block.kind == BlockKind.table:
            for s, e, header in _split_table(block.text, start, size):
                units.append(_Unit(s, e, block, section, True, header))
        else:
            # Leave room for the overlap the chunk may start with.
            for s, e in _split_prose(block.text, start, size - overlap):
                units.append(_Unit(s, e, block, section, False))
    # A document of nothing but headings (a cover page, an outline) is still text.
    return units or headings_only


def chunk_document(
    parsed: ParsedDocument,
    meta: DocumentMeta,
    *,
    size: int | None = None,
    overlap: int | None = None,
    max_chunks: int | None = None,
) -> list[Chunk]:
    """Cut ``parsed`` (already normalized) into ``Chunk``s (see module doc).

    ``size``/``overlap`` default to ``settings.chunk_size``/``chunk_overlap``. Raises
    ``IngestError("empty")`` when the document has no meaningful text, so the pipeline can
    mark it ``skipped`` instead of indexing nothing, and ``IngestError("too_many_chunks")``
    as soon as the document would become more than ``max_chunks`` chunks (a few KB of
    compressed, repeated text can expand to thousands; embedding them would hold the ingest
    lock for minutes).
    """
    if size is None or overlap is None:
        from control_tower.settings import get_settings

        s = get_settings()
        size = s.chunk_size if size is None else size
        overlap = s.chunk_overlap if overlap is None else overlap
    if size < 50:
        raise ValueError("chunk size must be at least 50 characters")
    overlap = max(0, min(overlap, size // 2))
    if is_effectively_empty(parsed):
        raise IngestError("empty")
    text = full_text(parsed)
    units = _units(parsed, size, overlap)

    chunks: list[Chunk] = []
    current: list[_Unit] = []
    carry_start: int | None = None  # where the overlap taken from the previous chunk begins

    def body_len(group: list[_Unit]) -> int:
        return group[-1].end - (carry_start if carry_start is not None else group[0].start)

    def emit() -> None:
        nonlocal carry_start
        if not current:
            return
        first = current[0]
        start = carry_start if carry_start is not None else first.start
        end = current[-1].end
        body = first.header + text[start:end] if carry_start is None else text[start:end]
        prefix = f"[{first.section}] " if first.section else ""
        ordinal = len(chunks)
        if max_chunks is not None and ordinal >= max_chunks:
            raise too_many_chunks(max_chunks, len(text))
        block = first.block
        chunks.append(
            Chunk(
                chunk_id=f"{meta.doc_id}:{meta.version}:{ordinal}",
                ordinal=ordinal,
                text=prefix + body,
                meta=meta,
                page=block.page,
                section=first.section,
                paragraph_index=block.paragraph_index,
                sheet=block.sheet,
                row=block.row,
                char_start=start,
                char_end=end,
            )
        )
        last = current[-1]
        carry_start = _overlap_start(text, last, overlap)
        current.clear()

    for unit in units:
        if current:
            same_section = unit.section == current[-1].section
            would_be = unit.end - (carry_start if carry_start is not None else current[0].start)
            if (
                would_be + len(unit.header) > size
                or (not same_section and body_len(current) >= size // 3)
                or (unit.is_table and unit.header)  # a later table piece: stands alone
            ):
                emit()
                if not same_section or unit.is_table:
                    carry_start = None
        if not current and carry_start is not None and unit.end - carry_start > size:
            carry_start = None  # only a table piece can get here; it stands alone
        current.append(unit)
    emit()
    if len(chunks) >= REPEAT_MIN_CHUNKS:
        unique = len({c.text for c in chunks})
        if unique < REPEAT_MIN_UNIQUE_SHARE * len(chunks):
            raise IngestError(
                "too_many_chunks",
                f"같은 내용이 지나치게 반복되는 문서라 색인하지 않았습니다 (검색 조각 "
                f"{len(chunks):,}개 중 서로 다른 내용 {unique:,}개). 반복된 부분을 정리하거나 "
                "파일을 나누어 다시 등록해 주세요.",
                detail=f"{unique} distinct of {len(chunks)} chunks",
            )
    return chunks


def too_many_chunks(limit: int, chars: int) -> IngestError:
    return IngestError(
        "too_many_chunks",
        f"문서가 너무 크거나 같은 내용이 지나치게 반복되어 색인하지 않았습니다 (본문 "
        f"{chars:,}자, 검색 조각 {limit:,}개 한도 초과). 파일을 여러 개로 나누어 다시 "
        "등록해 주세요.",
        detail=f"more than {limit} chunks",
    )


def _overlap_start(text: str, last: _Unit, overlap: int) -> int | None:
    """Where the next chunk should start so it repeats ≤ ``overlap`` chars of ``last``:
    at a sentence or word start, never inside a table."""
    if overlap <= 0 or last.is_table or last.end - last.start <= overlap:
        return None
    start = last.end - overlap
    tail = text[start : last.end]
    m = re.search(r"(?<=[.!?。\n])\s*\S|\s\S", tail)
    if not m:
        return None
    return start + m.end() - 1
