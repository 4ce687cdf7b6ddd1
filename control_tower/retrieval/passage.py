"""A cited passage in its context: the chunk plus its neighbours, access-checked.

Why: a search hit or a chat citation is one chunk; a person checking it wants the text around
it. Neighbours are the chunks of the same document version with the next lower and higher
ordinals (chunk ids are ``f"{doc_id}:{version}:{ordinal}"``). Consecutive chunks overlap a
little (``ingest/chunking.py``), so the overlap is cut from the neighbours, never from the
cited chunk, and the ``[섹션] `` prefix that only helps indexing is dropped.

Access: the document's store record and the chunk's own metadata must both be readable;
otherwise the answer is ``None`` — the same as for an unknown id, so ids cannot be probed.
"""

from __future__ import annotations

from pydantic import BaseModel

from control_tower.access import can_read
from control_tower.domain import Chunk, Principal

DEFAULT_RADIUS = 2  # neighbours on each side
MAX_RADIUS = 5


class PassagePart(BaseModel):
    chunk: Chunk
    text: str  # what to show: the body without the section prefix, overlap cut
    cited: bool = False


class Passage(BaseModel):
    doc_id: str
    title: str
    department: str
    doc_type: str
    parts: list[PassagePart]

    @property
    def cited(self) -> PassagePart:
        return next(p for p in self.parts if p.cited)


def parse_chunk_id(chunk_id: str) -> tuple[str, int, int] | None:
    doc_id, _, rest = chunk_id.partition(":")
    version, _, ordinal = rest.partition(":")
    if not doc_id or not version.isdigit() or not ordinal.isdigit():
        return None
    return doc_id, int(version), int(ordinal)


def _body(chunk: Chunk) -> str:
    prefix = f"[{chunk.section}] " if chunk.section else ""
    return chunk.text[len(prefix) :] if prefix and chunk.text.startswith(prefix) else chunk.text


def _is_plain(chunk: Chunk, body: str) -> bool:
    """The body is exactly the full-text span (not a table piece with a header prepended)."""
    return len(body) == chunk.char_end - chunk.char_start


def _trimmed(chunks: list[Chunk], cited_at: int) -> list[str]:
    texts = [_body(c) for c in chunks]
    out = list(texts)
    for i in range(cited_at + 1, len(chunks)):  # after the cited one: cut the head
        prev, cur = chunks[i - 1], chunks[i]
        cut = prev.char_end - cur.char_start
        if 0 < cut < len(texts[i]) and _is_plain(cur, texts[i]):
            out[i] = texts[i][cut:].lstrip()
    for i in range(cited_at - 1, -1, -1):  # before it: cut the tail
        cur, nxt = chunks[i], chunks[i + 1]
        cut = cur.char_end - nxt.char_start
        if 0 < cut < len(texts[i]) and _is_plain(cur, texts[i]):
            out[i] = texts[i][: len(texts[i]) - cut].rstrip()
    return out


def passage_in_context(
    index,  # noqa: ANN001 - control_tower.index.Index
    store,  # noqa: ANN001 - control_tower.store.Store
    principal: Principal,
    doc_id: str,
    chunk_id: str,
    *,
    radius: int = DEFAULT_RADIUS,
) -> Passage | None:
    parsed = parse_chunk_id(chunk_id)
    if parsed is None or parsed[0] != doc_id:
        return None
    record = store.get_document(doc_id)
    if record is None or not can_read(principal, record.to_meta()):
        return None
    _, version, ordinal = parsed
    radius = max(0, min(radius, MAX_RADIUS))
    wanted = [
        f"{doc_id}:{version}:{o}" for o in range(max(0, ordinal - radius), ordinal + radius + 1)
    ]
    chunks = [c for c in index.get(wanted) if can_read(principal, c.meta)]
    cited_at = next((i for i, c in enumerate(chunks) if c.chunk_id == chunk_id), None)
    if cited_at is None:
        return None
    texts = _trimmed(chunks, cited_at)
    return Passage(
        doc_id=doc_id,
        title=record.title,
        department=record.department,
        doc_type=record.doc_type or chunks[cited_at].meta.doc_type,
        parts=[
            PassagePart(chunk=c, text=t, cited=i == cited_at)
            for i, (c, t) in enumerate(zip(chunks, texts, strict=True))
        ],
    )


__all__ = ["DEFAULT_RADIUS", "Passage", "PassagePart", "parse_chunk_id", "passage_in_context"]
