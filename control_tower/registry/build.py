"""``ct registry build``: documents → mentions → cards → links, incrementally.

1. Extract mentions from every indexed document whose version the registry has not seen
   (``registry_doc_state`` remembers the rest), rules first, the LLM for prose when one is
   reachable — checked once per build, so a dead server costs one timeout, not one per field.
2. Resolve all mentions (documents and imports) into cards, attach documents that name a
   card, re-apply people's edits.
3. Write only cards whose digest changed; remove cards nothing feeds any more.
4. Link all cards (deterministic; embeddings cached by text) and replace the link table.
The build reads every document — it is a server job; what each caller sees is filtered later.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel, Field

from control_tower.registry.attach import DocumentText, attach
from control_tower.registry.edits import active_edits, apply_edits
from control_tower.registry.repo import RegistryRepo, card_digest
from control_tower.registry.resolve import carry_ids, resolve
from control_tower.registry.sources import SourceReader
from control_tower.registry.types import Mention
from control_tower.settings import Settings

ProgressFn = Callable[[int, int, str], None]


class BuildReport(BaseModel):
    cards: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    llm_fields: int = 0
    seconds: float = 0.0
    documents: int = 0
    extracted: int = 0
    links: int = 0
    unmatched_references: int = 0
    llm: str = "off"  # used | unavailable | off
    notes: list[str] = Field(default_factory=list)  # Korean, for people
    problems: list[dict] = Field(default_factory=list)

    def public(self) -> dict:
        """The five numbers the issue's interface names, plus the rest."""
        return self.model_dump()


def managed_departments(store) -> list[str]:  # noqa: ANN001
    from control_tower.accounts.departments import list_departments

    return [d.name for d in list_departments(store)]


def build_registry(
    settings: Settings,
    store,  # noqa: ANN001
    *,
    use_llm: bool = True,
    link: bool = True,
    progress: ProgressFn | None = None,
) -> BuildReport:
    from control_tower.registry.extract import extract_mentions
    from control_tower.registry.llm_setup import extractor_for

    started = time.perf_counter()
    report = BuildReport()
    repo = RegistryRepo(store)
    reader = SourceReader(settings, store)
    llm, note = extractor_for(settings) if use_llm else (None, None)
    report.llm = "used" if llm else ("unavailable" if use_llm else "off")
    if note:
        report.notes.append(note)
    departments = managed_departments(store)
    states = repo.doc_states()
    records = reader.records()
    report.documents = len(records)
    mentions: list[Mention] = []
    texts: list[DocumentText] = []
    try:
        for i, rec in enumerate(records):
            if progress:
                progress(i, len(records) + 2, rec.title)
            doc = reader.read(rec)
            if doc is None:
                continue
            texts.append(DocumentText(doc.base, doc.parsed))
            state = states.get(rec.doc_id)
            if state and state[0] == doc.base.version:
                mentions.extend(state[1])
                continue
            result = extract_mentions(doc.parsed, doc.base, departments=departments, llm=llm)
            if result.llm_error and result.llm_error not in report.notes:
                report.notes.append(result.llm_error)
            report.extracted += 1
            report.llm_fields += result.llm_fields
            repo.save_doc_state(
                rec.doc_id, doc.base.version, result.mentions, llm_fields=result.llm_fields
            )
            mentions.extend(result.mentions)
    finally:
        reader.close()
    report.problems = reader.problems
    repo.drop_doc_states(set(states) - {r.doc_id for r in records})
    for row in repo.imports():
        mentions.extend(Mention.model_validate(m) for m in row.mentions)

    if progress:
        progress(len(records), len(records) + 2, "사업 카드 정리")
    cards, report.unmatched_references = resolve(mentions)
    attach(cards, texts)
    cards = carry_ids(cards, repo.source_sets())
    edits = active_edits(store)
    cards = [apply_edits(c, edits.get(c.id, {})) for c in cards]
    old = repo.digests()
    changed = [c for c in cards if old.get(c.id) != card_digest(c)]
    report.created = sum(1 for c in changed if c.id not in old)
    report.updated = len(changed) - report.created
    report.unchanged = len(cards) - len(changed)
    gone = set(old) - {c.id for c in cards}
    report.removed = len(gone)
    repo.save_cards(changed, remove=gone)
    report.cards = len(cards)

    if link:
        if progress:
            progress(len(records) + 1, len(records) + 2, "사업 간 연계 분석")
        from control_tower.registry.linking import compute_links

        links, link_note = compute_links(settings, cards)
        repo.replace_links(links)
        report.links = len(links)
        if link_note:
            report.notes.append(link_note)
    report.seconds = round(time.perf_counter() - started, 2)
    if progress:
        progress(len(records) + 2, len(records) + 2, "완료")
    return report
