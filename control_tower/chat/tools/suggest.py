"""suggest_projects: the ideation engine's proposals for one department, as the caller may
see them (``ideas_for`` checks the department view and re-checks every citation)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from control_tower.chat.tools.base import Tool, ToolContext, ToolError
from control_tower.chat.tools.cards import EvidenceList, doc_departments
from control_tower.chat.types import Evidence, Fact, ToolResult
from control_tower.names import display_location


class SuggestInput(BaseModel):
    department: str | None = Field(default=None, max_length=100)
    top: int = Field(default=3, ge=1, le=10)


class IdeaOut(BaseModel):
    id: str
    title: str
    kind: str
    problem: str
    approach: str
    score: float
    cost_eok: float


class SuggestOutput(BaseModel):
    department: str
    ideas: list[IdeaOut] = Field(default_factory=list)


class SuggestProjects(Tool):
    name = "suggest_projects"
    description = (
        "부서의 업무와 보유 데이터에 맞는 새 AI 사업 아이디어를 점수와 근거 문서와 함께 제안합니다."
    )
    Input = SuggestInput
    Output = SuggestOutput

    def run(self, ctx: ToolContext, args: SuggestInput) -> ToolResult:
        from control_tower.ideation.service import IdeaError, ideas_for

        dept = args.department or ctx.principal.department
        if not dept:
            raise ToolError("no_department", "제안받을 부서를 알려 주세요.")
        try:
            ideas = ideas_for(
                ctx.settings, ctx.store, ctx.principal, dept, top=args.top, embedder=ctx.embedder
            )
        except IdeaError as exc:
            raise ToolError(exc.code, exc.message_ko) from exc
        depts = doc_departments(ctx)
        ev = EvidenceList()
        facts = []
        for p in ideas:
            idx: list[int] = []
            for c in p.citations:
                where = depts.get(c.doc_id, dept)
                idx += ev.add(
                    Evidence(
                        doc_id=c.doc_id,
                        title=c.title,
                        department=where,
                        path=display_location(where, c.path, c.title),
                        page=c.page,
                        section=c.section,
                        text=c.text[:4000],
                    )
                )
            facts.append(
                Fact(
                    label=f"제안 사업: {p.title}",
                    value=p.title,
                    evidence=idx,
                    sentence=f"{dept}에 '{p.title}' 사업을 제안합니다: {p.problem}".rstrip(".")
                    + ".",
                )
            )
        out = SuggestOutput(
            department=dept,
            ideas=[
                IdeaOut(
                    id=p.id,
                    title=p.title,
                    kind=p.kind,
                    problem=p.problem,
                    approach=p.approach,
                    score=p.total_score,
                    cost_eok=p.cost_eok,
                )
                for p in ideas
            ],
        )
        summary = f"제안 {len(ideas)}건" if ideas else "제안할 사업이 없습니다"
        return ToolResult(
            tool=self.name, summary=summary, evidence=ev.items, facts=facts, data=out.model_dump()
        )
