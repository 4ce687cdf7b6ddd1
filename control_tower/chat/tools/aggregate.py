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

# a card's funding split (국비/도비/시비/민자, in 억원) is summed and compared like its budget
FUNDING = {
    "national_eok": "국비",
    "province_eok": "도비",
    "city_eok": "시비",
    "private_eok": "민자",
}
FIELD_KO = {"budget_eok": "예산", "period": "사업 기간", "start_year": "시작 연도", **FUNDING}
MONEY = {"budget_eok", *FUNDING}
# the subject / topic particle after each field name (시작 연도 ends in a vowel)
SUBJ = {"budget_eok": "이", "period": "이", "start_year": "가", **dict.fromkeys(FUNDING, "가")}
EXTREME = {
    **{(f, "max"): "가장 큰" for f in MONEY},
    **{(f, "min"): "가장 작은" for f in MONEY},
    ("period", "max"): "가장 긴",
    ("period", "min"): "가장 짧은",
    ("start_year", "max"): "가장 늦은",
    ("start_year", "min"): "가장 이른",
}
TOPIC = {"budget_eok": "은", "period": "은", "start_year": "는", **dict.fromkeys(FUNDING, "는")}
# "A이 B보다 12억원 큽니다" — what a difference between two values is called, per field
MORE = {**dict.fromkeys(MONEY, "큽니다"), "period": "깁니다", "start_year": "늦습니다"}
SOURCE_FIELDS = {
    "budget_eok": ("budget_eok",),
    "period": ("start_year", "end_year"),
    "start_year": ("start_year",),
    **dict.fromkeys(FUNDING, ("funding",)),
}
Field_ = Literal[
    "budget_eok", "period", "start_year", "national_eok", "province_eok", "city_eok", "private_eok"
]


class AggregateInput(BaseModel):
    op: Literal["count", "sum", "max", "min", "list"] = "list"
    field: Field_ = "budget_eok"
    department: str | None = Field(default=None, max_length=100)
    # two or more departments: the op per department and which is ahead ("A과와 B과 중 …")
    departments: list[str] | None = Field(default=None, max_length=10)
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


class DeptRow(BaseModel):
    department: str
    cards: int
    result: float | None
    result_ko: str | None


class AggregateOutput(BaseModel):
    op: str
    field: str
    cards: int  # cards in scope
    missing: int  # in scope but without the field (excluded)
    result: float | None = None
    result_ko: str | None = None
    rows: list[Row] = Field(default_factory=list)
    by_department: list[DeptRow] = Field(default_factory=list)


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
    if field in FUNDING:
        part = (card.value("funding") or {}).get(FUNDING[field])
        return float(part) if part else None
    v = card.value(field)
    return float(v) if v is not None else None


def ko(field: str, v: float | None) -> str | None:
    if v is None:
        return None
    if field in MONEY:
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
        args.department or ("" if args.card_ids else "전체"),
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
        if args.departments and len(args.departments) >= 2:
            return self._by_department(ctx, args)
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
            if len(have) == 2:  # "A와 B 중 어느 쪽이 얼마나 더 큰가": the difference too
                facts.append(difference(args.field, rows_src, cite))
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

    def _by_department(self, ctx: ToolContext, args: AggregateInput) -> ToolResult:
        """The op per department (a total for max/min: "예산이 더 큰 부서"), then who leads."""
        op = args.op if args.op in ("sum", "count") else "sum"
        ev, facts, rows = EvidenceList(), [], []
        for dept in args.departments or []:
            sub = args.model_copy(update={"department": dept, "departments": None, "op": op})
            part = self.run(ctx, sub)
            moved = [ev.add(e) for e in part.evidence]
            for f in part.facts:
                idx = sorted({i for j in f.evidence for i in moved[j]})
                facts.append(f.model_copy(update={"evidence": idx}))
            value = part.data["result"] if op == "sum" else float(part.data["cards"])
            shown = part.data["result_ko"] if op == "sum" else f"{part.data['cards']}건"
            rows.append(DeptRow(department=dept, cards=part.data["cards"], result=value,
                                result_ko=shown))  # fmt: skip
        ranked = sorted((r for r in rows if r.result is not None), key=lambda r: -r.result)
        if len(ranked) >= 2:
            a, b = ranked[0], ranked[1]
            what = f"사업 {FIELD_KO[args.field]} 합계" if op == "sum" else "사업 수"
            gap = a.result - b.result
            gap_ko = ko(args.field, gap) if op == "sum" else f"{int(gap)}건"
            facts.append(
                Fact(
                    label=f"{what}가 더 큰 부서",
                    value=a.department,
                    evidence=sorted({i for f in facts for i in f.evidence}),
                    sentence=f"{what}는 {a.department}({a.result_ko})가 "
                    f"{b.department}({b.result_ko})보다 {gap_ko} 더 많습니다.",
                )
            )
        out = AggregateOutput(op=op, field=args.field, cards=sum(r.cards for r in rows),
                              missing=0, by_department=rows)  # fmt: skip
        summary = ", ".join(f"{r.department} {r.result_ko}" for r in rows)
        return ToolResult(
            tool=self.name, summary=summary, evidence=ev.items, facts=facts, data=out.model_dump()
        )


def difference(field: str, ranked: list, cite: dict) -> Fact:  # noqa: ANN001
    """ "A(41억원)이 B(29억원)보다 12억원 큽니다" for the two valued cards, larger first."""
    (a, va), (b, vb) = ranked[0], ranked[1]
    if va < vb:
        (a, va), (b, vb) = (b, vb), (a, va)
    gap = round(va - vb, 2)
    return Fact(
        label=f"{FIELD_KO[field]} 차이",
        value=ko(field, gap),
        evidence=cite[a.id] + cite[b.id],
        sentence=f"{a.name}({ko(field, va)})이 {b.name}({ko(field, vb)})보다 "
        f"{ko(field, gap)} {MORE[field]}.",
    )
