"""One numbered evidence list per turn: ``[n]`` in an answer is ``evidence[n-1]`` here.

Tools return evidence per call; the same passage may come back from two tools (a card's budget
source and a search hit on the same page). Numbering them once, deduplicated, keeps the markers
stable between the composed answer, the citation check and the citations sent to the client.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from control_tower.chat.types import ChatCitation, Evidence, Fact, ToolResult


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
    the draft cites readable: ``roadmap.service.get_version``); the caller's own pasted proposal
    (only ever in their own conversation) always."""
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
    """Give card evidence (a span in a document, no chunk) the chunk that holds its span, so
    its citation opens the passage page like a search hit's does (as the registry pages do)."""
    if store is None or index is None:
        return
    chunks: dict[tuple[str, int], list] = {}
    for ev in pool.evidence:
        if ev.chunk_id or ev.char_start is None or ev.doc_id.startswith("import:"):
            continue
        key = (ev.doc_id, ev.version)
        if key not in chunks:
            record = store.get_document(ev.doc_id)
            found: list = []
            if record is not None and record.version == ev.version and record.chunk_count:
                ids = [f"{ev.doc_id}:{ev.version}:{i}" for i in range(record.chunk_count)]
                try:
                    found = index.get(ids)
                except Exception:  # noqa: BLE001 - no index: the citation keeps its text, no link
                    found = []
            chunks[key] = found
        for c in chunks[key]:
            if c.char_start <= ev.char_start < max(c.char_end, c.char_start + 1):
                ev.chunk_id = c.chunk_id
                break
