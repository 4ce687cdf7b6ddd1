"""What one caller may read, prepared once per ideation run: documents as cited lines with
their Kiwi noun terms, and the registry cards they may see.

Everything a profile, a gap or a score says about a department is computed from this view,
so a document the caller may not read can never contribute a word, a count or a citation.
Lines come from the registry's own line splitter (``registry.rules.lines``) and are cited
with the same offsets, sections and pages as card fields.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from control_tower.domain import Principal, name_key
from control_tower.ideation.terms import noun_terms_batch, squash
from control_tower.ideation.types import Citation
from control_tower.registry.rules.doc import DocView
from control_tower.registry.rules.lines import logical_lines
from control_tower.registry.types import ProjectCard, SourceRef
from control_tower.registry.visibility import Reader


@dataclass(slots=True)
class DocLine:
    doc_id: str
    text: str  # the line exactly as in the document's full text
    body: str  # without its bullet marker
    heading: str  # the section label above it ("" when none)
    terms: frozenset[str]
    squashed: str
    citation: Citation


@dataclass
class Corpus:
    principal: Principal
    reader: Reader
    cards: list[ProjectCard]  # every card the caller may see (visible views)
    lines: dict[str, list[DocLine]] = field(default_factory=dict)  # department → lines
    doc_titles: dict[str, str] = field(default_factory=dict)
    views: dict[str, DocView] = field(default_factory=dict)  # doc id → readable document
    cache: dict = field(default_factory=dict)  # per-run memo (e.g. tokenized card data)

    def departments(self) -> list[str]:
        names = set(self.lines)
        for card in self.cards:
            names.update(card.departments[:1])
        return sorted(n for n in names if n)

    def cards_of(self, department: str) -> list[ProjectCard]:
        want = name_key(department)
        return [c for c in self.cards if want in (name_key(d) for d in c.departments)]

    def cite(self, src: SourceRef | None, card: str | None = None) -> Citation | None:
        """A readable source span as a citation whose text is the document's own line."""
        if src is None or not self.reader.can(src.doc_id):
            return None
        view = self.views.get(src.doc_id)
        text = ""
        if view is not None and src.char_start is not None:
            start = max(0, min(src.char_start, len(view.text)))
            end = max(start, min(src.char_end or start, len(view.text)))
            lo = view.text.rfind("\n", 0, start) + 1
            hi = view.text.find("\n", end)
            text = view.text[lo : hi if hi >= 0 else len(view.text)].strip()
        return Citation(
            doc_id=src.doc_id,
            title=src.title,
            path=src.path,
            page=src.page,
            section=src.section,
            text=text[:300],
            card=card,
        )


def _lines_of(view: DocView, rec) -> list[tuple[str, str, str, Citation]]:  # noqa: ANN001
    out = []
    for ln in logical_lines(view):
        if len(ln.body) < 4:
            continue
        cit = Citation(
            doc_id=rec.doc_id,
            title=rec.title,
            path=rec.source_path,
            page=ln.blk.block.page,
            section=ln.blk.section,
            text=view.text[ln.start : ln.end][:300],  # verbatim (a wrapped line keeps its \n)
        )
        out.append((ln.text, ln.body, ln.heading or ln.blk.section or "", cit))
    return out


def build_corpus(settings, store, principal: Principal) -> Corpus:  # noqa: ANN001
    from control_tower.registry.service import list_cards
    from control_tower.registry.sources import SourceReader

    reader = Reader(store, principal)
    corpus = Corpus(principal=principal, reader=reader, cards=list_cards(store, principal))
    sources = SourceReader(settings, store)
    raw: list[tuple[str, tuple[str, str, str, Citation]]] = []
    try:
        for rec in sources.records():
            if not reader.can(rec.doc_id):
                continue
            doc = sources.read(rec)
            if doc is None:
                continue
            view = DocView(doc.parsed, doc.base)
            corpus.views[rec.doc_id] = view
            corpus.doc_titles[rec.doc_id] = rec.title
            raw.extend((rec.department, item) for item in _lines_of(view, rec))
    finally:
        sources.close()
    terms = noun_terms_batch([item[1] for _, item in raw])
    grouped: dict[str, list[DocLine]] = defaultdict(list)
    for (dept, (text, body, heading, cit)), ts in zip(raw, terms, strict=True):
        grouped[dept].append(
            DocLine(cit.doc_id, text, body, heading, frozenset(ts), squash(text), cit)
        )
    corpus.lines = dict(grouped)
    return corpus
