"""registry_aggregate: count/sum/max/min/list over the caller's visible cards — computed here,
never generated, each fact resting on the budget (or period) sources of the cards it used."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from control_tower.chat.tools.base import Tool, ToolContext
from control_tower.chat.tools.cards import EvidenceList, fmt_eok, visible
from control_tower.chat.types import Fact, ToolResult
from control_tower.domain import name_key
from control_tower.registry.types import ProjectCard

FIELD_KO = {"budget_eok": "예산", "period": "사업 기간", "start_year": "시작 연도"}
# the subject / topic particle after each field name (시작 연도 ends in a vowel)
SUBJ = {"budget_eok": "이", "period": "이", "start_year": "가"}
EXTREME = {
    ("budget_eok", "max"): "가장 큰",
    ("budget_eok", "min"): "가장 작은",
    ("period", "max"): "가장 긴",
    ("period", "min"): "가장 짧은",
    ("start_year", "max"): "가장 늦은",
    ("start_year", "min"): "가장 이른",
}
TOPIC = {"budget_eok": "은", "period": "은", "start_year": "는"}
SOURCE_FIELDS = {
    "budget_eok": ("budget_eok",),
    "period": ("start_year", "end_year"),
    "start_year": ("start_year",),
}


class AggregateInput(BaseModel):
    op: Literal["count", "sum", "max", "min", "list"] = "list"
    field: Literal["budget_eok", "period", "start_year"] = "budget_eok"
    department: str | None = Field(default=None, max_length=100)
    year: int | None = Field(default=None, ge=1990, le=2100)
    status: str | None = Field(default=None, max_length=20)
    card_ids: list[str] | None = Field(default=None, max_length=200)
    top: int = Field(default=10, ge=1, le=50)


class Row(BaseModel):
    card_id: str
    name: str
    department: str | None
    value: float | None
    value_ko: str | None


class AggregateOutput(BaseModel):
    op: str
    field: str
    cards: int  # cards in scope
    missing: int  # in scope but without the field (excluded)
    result: float | None = None
    result_ko: str | None = None
    rows: list[Row] = Field(default_factory=list)


def months(card: ProjectCard) -> float | None:
    sy, ey = card.value("start_year"), card.value("end_year")
    if not sy or not ey:
        return None
    return float(
        (int(ey) - int(sy)) * 12
        + int(card.value("end_month") or 12)
        - int(card.value("start_month") or 1)
        + 1
    )


def value_of(card: ProjectCard, field: str) -> float | None:
    if field == "period":
        return months(card)
    v = card.value(field)
    return float(v) if v is not None else None


def ko(field: str, v: float | None) -> str | None:
    if v is None:
        return None
    if field == "budget_eok":
        return fmt_eok(v)
    return f"{int(v)}개월" if field == "period" else f"{int(v)}년"


def in_scope(card: ProjectCard, args: AggregateInput) -> bool:
    if args.card_ids is not None and card.id not in args.card_ids:
        return False
    # a department's projects are the ones it leads; partners' cards would be counted twice
    if args.department and name_key(args.department) != name_key(card.lead_department or ""):
        return False
    if args.status and card.value("status") != args.status:
        return False
    if args.year is not None:
        sy = card.value("start_year")
        ey = card.value("end_year") or sy
        if not sy or not int(sy) <= args.year <= int(ey):
            return False
    return True


def scope_ko(args: AggregateInput) -> str:
    parts = [
        args.department or "전체",
        f"{args.year}년" if args.year else "",
        f"'{args.status}'" if args.status else "",
        "선택한" if args.card_ids else "",
    ]
    return " ".join(p for p in parts if p) + " 사업"


class RegistryAggregate(Tool):
    name = "registry_aggregate"
    description = (
        "볼 수 있는 사업 카드에 대해 개수·예산 합계·최대·최소·목록을 "
        "계산합니다(부서·연도·상태로 좁히기)."
    )
    Input = AggregateInput
    Output = AggregateOutput

    def run(self, ctx: ToolContext, args: AggregateInput) -> ToolResult:
        scope = [c for c in visible(ctx) if in_scope(c, args)]
        valued = [(c, value_of(c, args.field)) for c in scope]
        have = [(c, v) for c, v in valued if v is not None]
        missing = len(scope) - len(have)
        ev = EvidenceList()
        cite = {
            c.id: [i for f in SOURCE_FIELDS[args.field] for i in ev.field(c, f)] for c, _ in have
        }
        what, fko = scope_ko(args), FIELD_KO[args.field]
        note = f"({fko} 정보가 없는 {missing}건 제외)" if missing else ""
        facts: list[Fact] = []
        result = None
        rows_src = (
            sorted(have, key=lambda cv: -cv[1])
            if args.op != "min"
            else sorted(have, key=lambda cv: cv[1])
        )
        if args.op == "count":
            facts.append(
                Fact(
                    label=f"{what} 수",
                    value=f"{len(scope)}건",
                    evidence=[i for c in scope for i in ev.field(c, "name")][:20],
                    sentence=f"{what}은 {len(scope)}건입니다.",
                )
            )
            rows_src = [(c, v) for c, v in valued]
        elif args.op == "sum" and have:
            result = round(sum(v for _, v in have), 2)
            label = f"{what} {fko} 합계"
            facts.append(
                Fact(
                    label=label,
                    value=ko(args.field, result),
                    evidence=sorted({i for c, _ in have for i in cite[c.id]}),
                    sentence=f"{label}는 {len(have)}건 기준 {ko(args.field, result)}입니다{note}.",
                )
            )
        elif args.op in ("max", "min") and have:
            card, result = rows_src[0]
            word = EXTREME[(args.field, args.op)]
            label = f"{what} 중 {fko}{SUBJ[args.field]} {word} 사업"
            shown = f"{card.name}({ko(args.field, result)})"
            facts.append(
                Fact(
                    label=label,
                    value=shown,
                    evidence=cite[card.id],
                    sentence=f"{label}은 {shown}입니다{note}.",
                )
            )
        rows = [
            Row(
                card_id=c.id,
                name=c.name,
                department=c.lead_department,
                value=v,
                value_ko=ko(args.field, v),
            )
            for c, v in rows_src[: args.top]
        ]
        if args.op == "list":
            for r in rows:
                if r.value is not None:
                    facts.append(
                        Fact(
                            label=f"{r.name} {fko}",
                            value=r.value_ko,
                            evidence=cite[r.card_id],
                            sentence=f"{r.name} 사업의 {fko}{TOPIC[args.field]} {r.value_ko}"
                            "입니다.",
                        )
                    )
        out = AggregateOutput(
            op=args.op,
            field=args.field,
            cards=len(scope),
            missing=missing,
            result=result,
            result_ko=ko(args.field, result),
            rows=rows,
        )
        summary = (
            f"{what} {len(scope)}건"
            + (f", {out.result_ko}" if out.result_ko else "")
            + (f" {note}" if note else "")
        )
        return ToolResult(
            tool=self.name, summary=summary, evidence=ev.items, facts=facts, data=out.model_dump()
        )
