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


def passage_url(ev: Evidence) -> str:
    """The passage page (it checks access again and highlights the cited chunk)."""
    from urllib.parse import quote, urlencode

    query = urlencode({"chunk": ev.chunk_id}) if ev.chunk_id else ""
    return f"/documents/{quote(ev.doc_id, safe='')}/passage?{query}#cited"


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
