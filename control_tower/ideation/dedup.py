"""Every proposal through the linker's 사전협의 duplication review, before anyone sees it.

The proposal becomes an unsaved card (name, departments, goal = problem, summary = approach,
technique, data) and is scored with ``linker.pipeline.score_against`` against every card the
caller may see, exactly as ``ct review`` scores an uploaded plan (the same vectors, the same
``verdict_of``). A ``중복`` at or above ``DUPLICATE_SCORE`` means the project exists: the
proposal is dropped, or — when that card belongs to another department and the use case adds
keywords the card does not cover — turned into a 연계 proposal that names the card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from control_tower.linker.pipeline import score_many
from control_tower.registry.review import (
    DUPLICATE_SCORE,
    MAX_MATCHES,
    ReviewMatch,
    review_match,
    verdict_of,
)
from control_tower.registry.types import FieldValue, Passage, ProjectCard, SourceRef

IDEA_PREFIX = "idea:"


@dataclass
class Review:
    verdict: str
    reasons: list[str]
    matches: list[ReviewMatch]

    @property
    def duplicates(self) -> list[ReviewMatch]:
        return [m for m in self.matches if m.type == "중복" and m.score >= DUPLICATE_SCORE]


def proposal_card(
    pid: str, title: str, departments: list[str], problem: str, approach: str, technique: str,
    data: list[str],
) -> ProjectCard:  # fmt: skip
    src = SourceRef(
        doc_id=IDEA_PREFIX + pid, title=title, department=departments[0], doc_date=date.today()
    )

    def fv(value) -> list[FieldValue]:  # noqa: ANN001
        return [FieldValue(value=value, method="rule", source=src)]

    return ProjectCard(
        id=pid,
        fields={
            "name": fv(title),
            "departments": fv(departments),
            "goal": fv(problem),
            "summary": fv(approach),
            "technologies": fv([technique]),
            "data": fv(list(data)),
        },
        passages=[Passage(text=(problem + " " + approach)[:600], source=src)],
    )


def review_all(
    settings,
    proposals: Sequence[ProjectCard],
    cards: Sequence[ProjectCard],
    *,
    embedder=None,  # noqa: ANN001
) -> list[Review]:
    """One review per proposal card; card vectors computed once for all of them."""
    from control_tower.registry.linking import card_vectors

    cosines = None
    if cards and proposals:
        vectors, _ = card_vectors(settings, [*proposals, *cards], embedder=embedder)
        if vectors is not None:
            cosines = vectors[len(proposals) :] @ vectors[: len(proposals)].T
    out: list[Review] = []
    order = {"중복": 0, "선후": 1, "연계": 2}
    scored = score_many(proposals, cards, cosines=cosines) if cards else [[] for _ in proposals]
    for links in scored:
        matches = [review_match(lk, c) for lk, c in zip(links, cards, strict=True) if lk]
        matches.sort(key=lambda m: (-m.score, order.get(m.type, 3)))
        matches = matches[:MAX_MATCHES]
        verdict, reasons = verdict_of(matches)
        out.append(Review(verdict, reasons, matches))
    return out
