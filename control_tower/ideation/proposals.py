"""``propose``: a department's gaps → scored, grounded proposals that survived the review.

Order of work: profile (what the department does, cited) → gaps (fitting catalogue entries it
does not already do) → scores with reasons → proposals (text composed from the computed
facts) → the linker's duplication review of every candidate (dropped, or turned into 연계).
Candidates are reviewed best score first until ``top`` survive. Ids are stable (department +
use case), so a re-run updates the same proposals.
"""

from __future__ import annotations

import hashlib

from control_tower.domain import Principal, name_key
from control_tower.ideation import wording
from control_tower.ideation.corpus import Corpus, build_corpus
from control_tower.ideation.dedup import Review, proposal_card, review_all
from control_tower.ideation.gaps import Gap, find_gaps
from control_tower.ideation.profiles import build_profile
from control_tower.ideation.scoring import score
from control_tower.ideation.terms import matches_keyword, noun_terms_batch, squash
from control_tower.ideation.types import CRITERIA, Citation, Proposal, RelatedCard, UseCase
from control_tower.settings import Settings

MAX_CITATIONS, MAX_RELATED, EXTRA_CANDIDATES, MIN_NEW_KEYWORDS = 10, 6, 5, 2


def proposal_id(department: str, use_case: str) -> str:
    digest = hashlib.sha1(f"{name_key(department)}|{use_case}".encode()).hexdigest()[:12]
    return f"idea-{digest}"


def _phase(gap: Gap) -> str:
    if gap.use_case.maturity == "연구·실증":
        return "장기"
    if any(not cards for cards in gap.platforms.values()) or any(not d.available for d in gap.data):
        return "중기"
    return "단기"


def _citations(gap: Gap) -> list[Citation]:
    out: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    weight: dict[int, tuple[int, object]] = {}
    for lines in gap.hits.values():
        for ln in lines:
            n, _ = weight.get(id(ln), (0, ln))
            weight[id(ln)] = (n + 1, ln)
    best = sorted(weight.values(), key=lambda x: (-x[0], x[1].doc_id, x[1].text))
    cands = [ln.citation for _, ln in best[:6]]
    cands += [d.citation for d in gap.data if d.citation is not None]
    for cit in cands:
        key = (cit.doc_id, cit.text)
        if key not in seen:
            seen.add(key)
            out.append(cit)
    return out[:MAX_CITATIONS]


def _draft(gap: Gap, department: str, corpus: Corpus, profile) -> Proposal:  # noqa: ANN001
    uc = gap.use_case
    names = {c.id: c.name for c in corpus.cards}
    scores, reasons = score(gap, profile, corpus)
    return Proposal(
        id=proposal_id(department, uc.id),
        title=uc.title,
        departments=[department],
        use_case=uc.id,
        problem=wording.problem(gap, department),
        approach=wording.approach(gap, names),
        technique=uc.technique,
        data=gap.data,
        kpis=wording.kpis(gap),
        prerequisites=wording.prerequisites(gap, names),
        risks=wording.risks(gap),
        phase=_phase(gap),
        duration_years=uc.duration_years,
        cost_eok=round((uc.cost.min_eok + uc.cost.max_eok) / 2, 1),
        scores=scores,
        reasons=reasons,
        citations=_citations(gap),
    )


def _related(p: Proposal, review: Review, gap: Gap, corpus: Corpus) -> list[RelatedCard]:
    by_id = {c.id: c for c in corpus.cards}
    out = [
        RelatedCard(
            id=m.card,
            name=m.name,
            departments=m.departments,
            relation=m.type,  # type: ignore[arg-type]
            score=m.score,
            reason=m.reason,
        )  # fmt: skip
        for m in review.matches
    ]
    for platform, cards in gap.platforms.items():
        for cid in cards[:1]:
            if cid in by_id and all(r.id != cid for r in out):
                c = by_id[cid]
                reason = f"이 사업이 쓰는 {platform}을(를) 제공합니다."
                out.append(RelatedCard(id=cid, name=c.name, departments=c.departments,
                                       relation="선후", reason=reason))  # fmt: skip
    return out[:MAX_RELATED]


def _as_link(p: Proposal, review: Review, uc: UseCase, corpus: Corpus) -> Proposal | None:
    """A duplicate of another department's card that still adds something → 연계, else None."""
    top = review.duplicates[0]
    card = next(c for c in corpus.cards if c.id == top.card)
    if p.departments[0] in card.departments or not card.lead_department:
        return None
    terms = frozenset(noun_terms_batch([card.text()])[0])
    new = [k for k in uc.keywords if not matches_keyword(k, terms, squash(card.text()))]
    if len(new) < MIN_NEW_KEYWORDS:
        return None
    return p.model_copy(
        update={
            "kind": "연계",
            "title": f"{uc.title} (「{card.name}」 연계)",
            "departments": [p.departments[0], card.lead_department],
            "approach": p.approach
            + f" 「{card.name}」({card.lead_department})과(와) 기능이 겹치므로 새로 구축하지 "
            f"않고 연계·공동이용하며, {', '.join(new[:4])} 기능을 더합니다.",
            "review_verdict": "조건부 추진",
        }
    )


def propose_with_docs(
    settings: Settings, store, principal: Principal, department: str, *, top: int = 5,  # noqa: ANN001
    embedder=None, corpus: Corpus | None = None, catalogue: list[UseCase] | None = None,  # noqa: ANN001
) -> list[tuple[Proposal, set[str]]]:  # fmt: skip
    """Proposals with the document ids each was computed from (for storage and re-checks)."""
    from control_tower.ideation.catalogue import load_catalogue

    corpus = corpus or build_corpus(settings, store, principal)
    entries = catalogue if catalogue is not None else load_catalogue().entries
    profile = build_profile(corpus, department, entries)
    gaps = find_gaps(corpus, profile, entries)
    drafts = [(_draft(g, department, corpus, profile), g) for g in gaps]
    drafts.sort(key=lambda d: (-d[0].total_score, d[0].use_case))
    drafts = drafts[: top + EXTRA_CANDIDATES]
    cards = [
        proposal_card(
            p.id,
            p.title,
            p.departments,
            p.problem,
            p.approach,
            p.technique,
            [d.name for d in p.data],
        )  # fmt: skip
        for p, _ in drafts
    ]
    reviews = review_all(settings, cards, corpus.cards, embedder=embedder)
    out: list[tuple[Proposal, set[str]]] = []
    for (p, gap), review in zip(drafts, reviews, strict=True):
        if len(out) >= top:
            break
        if review.duplicates:
            p = _as_link(p, review, gap.use_case, corpus)
            if p is None:
                continue
        else:
            p = p.model_copy(update={"review_verdict": review.verdict})
        p = p.model_copy(update={"related_cards": _related(p, review, gap, corpus)})
        if any(not (1.0 <= p.scores[c] <= 5.0) for c in CRITERIA):
            raise ValueError(f"score out of range: {p.id}")
        docs = {c.doc_id for c in p.citations} | gap.docs
        docs |= {ln.doc_id for lines in gap.hits.values() for ln in lines}
        docs |= {d.citation.doc_id for d in p.data if d.citation}
        out.append((p, docs))
    return out


def propose(
    settings: Settings, store, principal: Principal, department: str, *, top: int = 5,  # noqa: ANN001
    embedder=None,  # noqa: ANN001
) -> list[Proposal]:  # fmt: skip
    return [p for p, _ in propose_with_docs(settings, store, principal, department, top=top,
                                            embedder=embedder)]  # fmt: skip
