"""``ct review``: a 정보화사업 사전협의-style duplication review of a new 사업계획서.

The proposal is parsed and extracted like any document (rules only: the review must be
quick and must not depend on the LLM being up), becomes a card that is *not* stored, and is
scored against every card the caller may see with the linker's own pair scoring. The verdict
follows the 사전협의 vocabulary and is computed, never generated:

- 재검토 — a ``중복`` match at or above ``DUPLICATE_SCORE``: the same project exists;
- 조건부 추진 — no duplicate, but the proposal needs an existing platform (``선후``, the
  existing card as prerequisite) or should share one (``연계`` at or above ``LINK_SCORE``):
  proceed on condition of 연계·통합, naming the cards and the shared component;
- 추진 — nothing above the thresholds.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from control_tower.domain import Principal
from control_tower.linker.pipeline import score_against
from control_tower.linker.types import Link
from control_tower.registry.resolve import Group, card_from_group
from control_tower.registry.service import RegistryError
from control_tower.registry.types import ProjectCard, SourceRef
from control_tower.settings import Settings

DUPLICATE_SCORE = 0.6
LINK_SCORE = 0.55
MAX_MATCHES = 8
PROPOSAL_ID = "proposal"
NO_PROJECT = (
    "사업계획서에서 사업명을 찾지 못했습니다. 사업 개요 표(사업명·사업기간·사업비)나 "
    "'○ 사업명:' 줄이 있는지 확인하세요."
)


class ReviewMatch(BaseModel):
    card: str
    name: str
    departments: list[str]
    type: str  # 중복 | 연계 | 선후
    direction: str | None = None  # 선후: "needs" (the proposal needs this card) | "provides"
    score: float
    shared: list[str] = Field(default_factory=list)
    evidence: list[dict] = Field(default_factory=list)
    reason: str


class ReviewResult(BaseModel):
    card: dict
    verdict: str
    matches: list[ReviewMatch]
    reasons: list[str]
    file: str


def parse_proposal(settings: Settings, path: Path):  # noqa: ANN201 - ParsedDocument
    from ingest.errors import IngestError
    from ingest.sandbox import SandboxPool

    try:
        with SandboxPool.from_settings(settings) as pool:
            return pool.parse(path)
    except IngestError as exc:
        raise RegistryError(422, exc.code, exc.message_ko) from None


def proposal_card(settings: Settings, store, principal: Principal, path: Path, filename: str):  # noqa: ANN001, ANN201
    from control_tower.registry.build import managed_departments
    from control_tower.registry.extract import extract_mentions

    parsed = parse_proposal(settings, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    base = SourceRef(
        doc_id=f"review:{digest}",
        path=filename,
        title=parsed.title or Path(filename).stem,
        department=principal.department or "미지정",
        doc_date=date.today(),
    )
    result = extract_mentions(parsed, base, departments=managed_departments(store), llm=None)
    primaries = [m for m in result.mentions if m.role == "primary"]
    if not primaries:
        raise RegistryError(422, "no_project", NO_PROJECT)
    card = card_from_group(Group(primaries[:1]))
    return card.model_copy(update={"id": PROPOSAL_ID})


def _cosines(
    settings: Settings,
    proposal: ProjectCard,
    cards: list[ProjectCard],
    embedder=None,  # noqa: ANN001
) -> np.ndarray | None:
    from control_tower.registry.linking import card_vectors

    vectors, _ = card_vectors(settings, [proposal, *cards], embedder=embedder)
    return None if vectors is None else vectors[1:] @ vectors[0]


def review_match(link: Link, card: ProjectCard) -> ReviewMatch:
    """A link to an existing card, worded as a review finding (also for ideas' reviews)."""
    direction = None
    if link.type == "선후":
        direction = "needs" if link.a == card.id else "provides"
    return ReviewMatch(
        card=card.id,
        name=card.name,
        departments=card.departments,
        type=link.type,
        direction=direction,
        score=round(link.score, 4),
        shared=link.shared,
        evidence=[e.model_dump(mode="json") for e in link.evidence],
        reason=_reason(link, card, direction),
    )


def _reason(link: Link, card: ProjectCard, direction: str | None) -> str:
    who = f"「{card.name}」({card.lead_department or '부서 미상'})"
    shared = ", ".join(link.shared[:3])
    if link.type == "중복":
        return f"{who}과(와) 같은 기능·대상의 사업입니다" + (
            f" (공통: {shared})." if shared else "."
        )
    if direction == "needs":
        return f"{who}이(가) 제공하는 {shared or '기반'}을(를) 활용해야 합니다 (선행 사업)."
    if direction == "provides":
        return f"{who}이(가) 이 사업의 결과물({shared or '기반'})을 필요로 합니다."
    return f"{who}과(와) {shared or '데이터·시스템'}을(를) 연계·공동이용해야 합니다."


def verdict_of(matches: list[ReviewMatch]) -> tuple[str, list[str]]:
    dups = [m for m in matches if m.type == "중복" and m.score >= DUPLICATE_SCORE]
    if dups:
        top = dups[0]
        return "재검토", [
            f"중복: 기존 사업 「{top.name}」({', '.join(top.departments[:1])})과(와) 중복됩니다. "
            "기존 사업과의 통합 또는 기능 조정을 먼저 검토하세요.",
            *(m.reason for m in dups[1:3]),
        ]
    needs = [
        m
        for m in matches
        if (m.type == "선후" and m.direction == "needs")
        or (m.type == "연계" and m.score >= LINK_SCORE)
    ]
    if needs:
        components = sorted({s for m in needs for s in m.shared[:2]})
        names = ", ".join(f"「{m.name}」" for m in needs[:4])
        return "조건부 추진", [
            f"연계·통합 필요: {names}과(와) "
            + (f"{', '.join(components)}을(를) " if components else "")
            + "공동이용하는 조건으로 추진합니다.",
            *(m.reason for m in needs[:4]),
        ]
    return "추진", ["기존 사업과 중복되거나 반드시 연계해야 할 사업이 발견되지 않았습니다."]


def review_file(
    settings: Settings,
    store,  # noqa: ANN001
    principal: Principal,
    path: Path,
    *,
    filename: str | None = None,
    embedder=None,  # noqa: ANN001 - an already loaded Embedder (the web app's), else one is loaded
) -> ReviewResult:
    from control_tower.registry.service import list_cards
    from control_tower.registry.views import card_json

    filename = filename or Path(path).name
    proposal = proposal_card(settings, store, principal, Path(path), filename)
    cards = list_cards(store, principal)
    cosines = _cosines(settings, proposal, cards, embedder) if cards else None
    links = score_against(proposal, cards, cosines=cosines)
    matches = [
        review_match(lk, card) for lk, card in zip(links, cards, strict=True) if lk is not None
    ]
    order = {"중복": 0, "선후": 1, "연계": 2}
    matches.sort(key=lambda m: (-m.score, order.get(m.type, 3)))
    matches = matches[:MAX_MATCHES]
    verdict, reasons = verdict_of(matches)
    return ReviewResult(
        card=card_json(proposal), verdict=verdict, matches=matches, reasons=reasons, file=filename
    )
