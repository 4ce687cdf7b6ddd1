"""related_projects: a card's (or a department's cards') links to other departments' cards —
중복/연계/선후 — as the caller may see them (``link_views.link_map`` rescored what it must)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from control_tower.chat.tools.base import Tool, ToolContext, ToolError
from control_tower.chat.tools.cards import EvidenceList, find, link_passage
from control_tower.chat.types import Fact, ToolResult
from control_tower.domain import name_key
from control_tower.linker.types import Link
from control_tower.registry.link_views import filter_links, link_map
from control_tower.registry.types import ProjectCard

PHRASE = {
    "중복": "중복 가능성이 있습니다",
    "연계": "연계할 수 있습니다",
    "선후": "선후 관계가 있습니다",
}


class RelatedInput(BaseModel):
    card_id: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=100)
    link_type: str | None = Field(default=None, pattern="^(중복|연계|선후)$")
    top: int = Field(default=10, ge=1, le=50)


class LinkOut(BaseModel):
    card_id: str
    card_name: str
    department: str | None
    other_card_id: str
    other_card_name: str
    other_department: str | None
    type: str
    score: float
    reason: str


class RelatedOutput(BaseModel):
    links: list[LinkOut] = Field(default_factory=list)
    clusters: list[dict] = Field(default_factory=list)


def _link_evidence(link: Link, card: ProjectCard, ev: EvidenceList) -> list[int]:
    """The link's own cited passages for this card (already filtered by link_map), else the
    card's name source."""
    idx: list[int] = []
    for e in link.evidence:
        if e.card == card.id:
            idx += ev.add(link_passage(card, e))
    return idx or ev.field(card, "name")


def _mine(lm, args: RelatedInput) -> set[str]:  # noqa: ANN001
    """The asked card, or the department's cards, among those the caller sees."""
    if not (args.card_id or args.name):
        want = name_key(args.department or "")
        return {cid for cid, c in lm.cards.items() if want in map(name_key, c.departments)}
    if args.card_id:
        mine = {args.card_id} & set(lm.cards)
    else:
        found = find(list(lm.cards.values()), args.name or "")
        mine = {found[0].id} if found else set()
    if not mine:
        raise ToolError("card_not_found", "사업 카드를 찾을 수 없거나 볼 권한이 없습니다.")
    return mine


class RelatedProjects(Tool):
    name = "related_projects"
    description = (
        "사업(이름·카드 ID) 또는 부서의 사업과 중복·연계·선후 관계에 "
        "있는 다른 부서 사업을 유사도와 근거와 함께 찾습니다."
    )
    Input = RelatedInput
    Output = RelatedOutput

    def run(self, ctx: ToolContext, args: RelatedInput) -> ToolResult:
        if not (args.card_id or args.name or args.department):
            raise ToolError("no_query", "사업 이름, 카드 ID, 부서 중 하나를 알려 주세요.")
        lm = link_map(ctx.store, ctx.principal)
        mine = _mine(lm, args)
        out, facts, ev, clusters = self._collect(lm, mine, args, args.link_type)
        missing = ""
        if not out and args.link_type:
            # no 중복 (or 선후) link: the other links still answer "겹치는 게 있나", as 연계
            missing = f"{args.link_type} 관계 없음, "
            out, facts, ev, clusters = self._collect(lm, mine, args, None)
        ids = {x for o in out for x in (o.card_id, o.other_card_id)}
        cl = [c.model_dump() for c in clusters if ids & set(c.cards)]
        data = RelatedOutput(links=out, clusters=cl).model_dump()
        summary = missing + (f"관련 사업 {len(out)}건" if out else "관련 사업을 찾지 못했습니다")
        return ToolResult(
            tool=self.name, summary=summary, evidence=ev.items, facts=facts, data=data
        )

    @staticmethod
    def _collect(lm, mine: set[str], args: RelatedInput, link_type: str | None) -> tuple:  # noqa: ANN001
        """(links out, their facts, their evidence, all clusters) of ``mine`` of one type."""
        links, clusters = filter_links(lm, link_type=link_type)
        ev = EvidenceList()
        out, facts = [], []
        for lk in links:
            if lk.a not in mine and lk.b not in mine:
                continue
            here, there = (lk.a, lk.b) if lk.a in mine else (lk.b, lk.a)
            a, b = lm.cards[here], lm.cards[there]
            if args.department and not args.card_id and not args.name and there in mine:
                continue  # same department's own pair: not a cross-department link
            item = LinkOut(
                card_id=a.id,
                card_name=a.name,
                department=a.lead_department,
                other_card_id=b.id,
                other_card_name=b.name,
                other_department=b.lead_department,
                type=lk.type,
                score=round(lk.score, 2),
                reason=lk.rationale,
            )
            out.append(item)
            idx = _link_evidence(lk, a, ev) + _link_evidence(lk, b, ev)
            sentence = (
                f"{a.lead_department or ''}의 '{a.name}' 사업은 {b.lead_department or ''}의 "
                f"'{b.name}' 사업과 {PHRASE.get(lk.type, '관련이 있습니다')}"
                f"(유사도 {lk.score:.2f})."
            )
            facts.append(
                Fact(
                    label=f"{a.name} ↔ {b.name} {lk.type}",
                    value=f"{lk.type} {lk.score:.2f}",
                    evidence=sorted(set(idx)),
                    sentence=sentence,
                )
            )
            if len(out) >= args.top:
                break
        return out, facts, ev, clusters
