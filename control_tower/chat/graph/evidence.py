"""One numbered evidence list per turn: ``[n]`` in an answer is ``evidence[n-1]`` here.

Tools return evidence per call; the same passage may come back from two tools (a card's budget
source and a search hit on the same page). Numbering them once, deduplicated, keeps the markers
stable between the composed answer, the citation check and the citations sent to the client.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from control_tower.chat.types import ChatCitation, Evidence, Fact, ToolResult
from control_tower.registry.visibility import IMPORT_PREFIX, may_read_import


class NumberedFact(BaseModel):
    fact: Fact
    cites: list[int] = Field(default_factory=list)  # 1-based markers


class Pool(BaseModel):
    evidence: list[Evidence] = Field(default_factory=list)
    facts: list[NumberedFact] = Field(default_factory=list)

    def texts(self, markers: list[int]) -> list[str]:
        return [self.evidence[n - 1].text for n in markers if 1 <= n <= len(self.evidence)]


def pool_of(results: list[ToolResult]) -> Pool:
    pool = Pool()
    seen: dict[tuple, int] = {}
    for result in results:
        if not result.ok:
            continue
        local: list[int] = []
        for ev in result.evidence:
            key = ev.key()
            if key not in seen:
                pool.evidence.append(ev)
                seen[key] = len(pool.evidence)
            local.append(seen[key])
        for fact in result.facts:
            cites = sorted({local[i] for i in fact.evidence if 0 <= i < len(local)})
            pool.facts.append(NumberedFact(fact=fact, cites=cites))
    return pool


ROADMAP_PREFIX = "roadmap:"  # a roadmap draft's section: doc_id "roadmap:{draft_id}"
REVIEW_PREFIX = "review:"  # the proposal text the caller pasted for review_proposal


def passage_url(ev: Evidence) -> str:
    """The passage page (it checks access again and highlights the cited chunk); a roadmap
    section opens the roadmap workspace at that section (``_sections.html``: ``section-{key}``);
    the caller's own pasted proposal has no page (the citation shows its text)."""
    from urllib.parse import quote, urlencode

    if ev.doc_id.startswith(ROADMAP_PREFIX):
        from control_tower.roadmap.types import SECTION_TITLES

        draft_id = quote(ev.doc_id.removeprefix(ROADMAP_PREFIX), safe="")
        key = next((k for k, t in SECTION_TITLES.items() if t == ev.section), "")
        return f"/roadmap/{draft_id}" + (f"#section-{key}" if key else "")
    if ev.doc_id.startswith(REVIEW_PREFIX):
        return ""
    query = urlencode({"chunk": ev.chunk_id}) if ev.chunk_id else ""
    return f"/documents/{quote(ev.doc_id, safe='')}/passage?{query}#cited"


def may_read_cited(store, principal, doc_id: str) -> bool:  # noqa: ANN001
    """Whether ``principal`` may still read what a stored citation points at: a document by
    ``can_read``; a roadmap section by the roadmap's own rule (``may_view`` and every document
    the draft cites readable: ``roadmap.service.get_version``); a spreadsheet import by the
    access level it was imported with; the caller's own pasted proposal (only ever in their
    own conversation) always."""
    if doc_id.startswith(ROADMAP_PREFIX):
        from control_tower.roadmap.ordering import RoadmapError
        from control_tower.roadmap.service import get_version

        try:
            get_version(store, principal, doc_id.removeprefix(ROADMAP_PREFIX))
        except RoadmapError:
            return False
        return True
    if doc_id.startswith(REVIEW_PREFIX):
        return True
    if doc_id.startswith(IMPORT_PREFIX):
        return may_read_import(store, principal, doc_id)
    from control_tower.access import can_read

    record = store.get_document(doc_id)
    return record is not None and can_read(principal, record.to_meta())


def citation(n: int, ev: Evidence) -> ChatCitation:
    return ChatCitation(
        n=n,
        doc_id=ev.doc_id,
        title=ev.title,
        path=ev.path,
        page=ev.page,
        section=ev.section,
        text=ev.text[:1200],
        char_start=ev.char_start,
        char_end=ev.char_end,
        chunk_id=ev.chunk_id,
        url=passage_url(ev),
    )


def fill_chunk_ids(pool: Pool, store, index) -> None:  # noqa: ANN001
    """Give card and link evidence (no chunk) the chunk that holds it, so its citation opens
    the passage page like a search hit's does (as the registry pages do): by its span when it
    has one, else by its text (a link quotes a phrase, "데이터 플랫폼, 가명처리", and keeps no
    offsets) — the chunk containing the quote, or failing that the one sharing most of its
    words."""
    if store is None or index is None:
        return
    chunks: dict[tuple[str, int], list] = {}
    for ev in pool.evidence:
        if ev.chunk_id or ev.doc_id.startswith((IMPORT_PREFIX, ROADMAP_PREFIX, REVIEW_PREFIX)):
            continue
        key = (ev.doc_id, ev.version)
        if key not in chunks:
            chunks[key] = _chunks_of(store, index, ev)
        found = chunks[key]
        if ev.char_start is not None:
            hit = next((c for c in found if _holds(c, ev.char_start)), None)
        else:
            hit = _by_text(found, ev.text)
        if hit is not None:
            ev.chunk_id = hit.chunk_id


def _holds(chunk, offset: int) -> bool:  # noqa: ANN001
    return chunk.char_start <= offset < max(chunk.char_end, chunk.char_start + 1)


def _chunks_of(store, index, ev: Evidence) -> list:  # noqa: ANN001
    record = store.get_document(ev.doc_id)
    if record is None or record.version != ev.version or not record.chunk_count:
        return []
    ids = [f"{ev.doc_id}:{ev.version}:{i}" for i in range(record.chunk_count)]
    try:
        return index.get(ids)
    except Exception:  # noqa: BLE001 - no index: the citation keeps its text, no link
        return []


def _by_text(chunks: list, text: str):  # noqa: ANN202
    flat = " ".join((text or "").split())
    if not flat or not chunks:
        return None
    for c in chunks:
        if flat[:80] in " ".join(c.text.split()):
            return c
    words = {w for w in re.split(r"[\s,·/()]+", flat) if len(w) >= 2}
    best = max(chunks, key=lambda c: sum(1 for w in words if w in c.text))
    return best if words and any(w in best.text for w in words) else None
