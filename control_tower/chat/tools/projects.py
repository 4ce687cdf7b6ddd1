"""find_projects / get_project: project cards the caller can see, their fields as facts.

Each fact rests on the passage of the document the field was read from (card passages are
already filtered to what the caller may read), so an answer can cite every stated value.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from control_tower.chat.tools.base import Tool, ToolContext, ToolError
from control_tower.chat.tools.cards import EvidenceList, find, fmt_eok, visible
from control_tower.chat.types import Fact, ToolResult
from control_tower.domain import name_key
from control_tower.registry.types import ProjectCard


class ProjectQuery(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    card_id: str | None = Field(default=None, max_length=200)
    department: str | None = Field(default=None, max_length=100)


class CardOut(BaseModel):
    card_id: str
    name: str
    departments: list[str] = Field(default_factory=list)
    budget_eok: float | None = None
    start: str | None = None  # "2025-03"
    end: str | None = None
    status: str | None = None
    partners: list[str] = Field(default_factory=list)
    goal: str | None = None


class ProjectsOutput(BaseModel):
    cards: list[CardOut] = Field(default_factory=list)


def ym(card: ProjectCard, which: str) -> str | None:
    year, month = card.value(f"{which}_year"), card.value(f"{which}_month")
    if not year:
        return None
    return f"{year}-{int(month):02d}" if month else str(year)


def ym_ko(card: ProjectCard, which: str) -> str | None:
    year, month = card.value(f"{which}_year"), card.value(f"{which}_month")
    if not year:
        return None
    return f"{year}년 {int(month)}월" if month else f"{year}년"


def card_out(card: ProjectCard) -> CardOut:
    budget = card.value("budget_eok")
    return CardOut(
        card_id=card.id,
        name=card.name,
        departments=card.departments,
        budget_eok=float(budget) if budget is not None else None,
        start=ym(card, "start"),
        end=ym(card, "end"),
        status=card.value("status"),
        partners=list(card.value("partners", []) or []),
        goal=card.value("goal"),
    )


def card_facts(card: ProjectCard, ev: EvidenceList) -> list[Fact]:
    name = card.name
    facts: list[Fact] = []

    def add(label: str, value: str, sentence: str, *fields: str) -> None:
        idx: list[int] = []
        for f in fields:
            idx += [i for i in ev.field(card, f) if i not in idx]
        facts.append(Fact(label=f"{name} {label}", value=value, evidence=idx, sentence=sentence))

    if card.departments:
        depts = ", ".join(card.departments)
        add("담당 부서", depts, f"{name} 사업의 담당 부서는 {depts}입니다.", "departments")
    budget = card.value("budget_eok")
    if budget is not None:
        v = fmt_eok(float(budget))
        add("사업비", v, f"{name} 사업의 사업비는 {v}입니다.", "budget_eok")
    start, end = ym_ko(card, "start"), ym_ko(card, "end")
    if start or end:
        v = f"{start or '?'} ~ {end or '?'}"
        add("사업 기간", v, f"{name} 사업의 기간은 {v}입니다.", "start_year", "end_year")
    if card.value("status"):
        v = str(card.value("status"))
        add("추진 상태", v, f"{name} 사업의 추진 상태는 '{v}'입니다.", "status")
    partners = card.value("partners", []) or []
    if partners:
        v = ", ".join(map(str, partners))
        add("협력 기관", v, f"{name} 사업의 협력 기관은 {v}입니다.", "partners")
    if card.value("goal"):
        v = str(card.value("goal"))
        add("목표", v, f"{name} 사업의 목표는 다음과 같습니다: {v}", "goal")
    return facts


def resolve(ctx: ToolContext, args: ProjectQuery) -> list[ProjectCard]:
    cards = visible(ctx)
    if args.department:
        want = name_key(args.department)
        cards = [c for c in cards if want in (name_key(d) for d in c.departments)]
    if args.card_id:
        return [c for c in cards if c.id == args.card_id]
    if args.name and args.name.strip():
        return find(cards, args.name)
    return cards


class FindProjects(Tool):
    name = "find_projects"
    description = (
        "이름(부분 일치)이나 부서로 사업 카드를 찾아 사업비·기간·상태 등 주요 항목을 보여 줍니다."
    )
    Input = ProjectQuery
    Output = ProjectsOutput
    limit = 10

    def run(self, ctx: ToolContext, args: ProjectQuery) -> ToolResult:
        if not (args.name or args.card_id or args.department):
            raise ToolError("no_query", "사업 이름, 카드 ID, 부서 중 하나를 알려 주세요.")
        found = resolve(ctx, args)[: self.limit]
        ev = EvidenceList()
        facts = [f for c in found for f in card_facts(c, ev)]
        out = ProjectsOutput(cards=[card_out(c) for c in found])
        summary = f"사업 카드 {len(found)}건" if found else "해당하는 사업 카드가 없습니다"
        return ToolResult(
            tool=self.name, summary=summary, evidence=ev.items, facts=facts, data=out.model_dump()
        )


class GetProject(FindProjects):
    name = "get_project"
    description = (
        "사업 카드 하나(가장 잘 맞는 이름 또는 카드 ID)의 "
        "사업비·기간·부서·상태·협력 기관·목표를 출처와 함께 보여 "
        "줍니다."
    )
    limit = 1
