"""search_documents: the caller's permission-filtered document search, as citable passages."""

from __future__ import annotations

from pydantic import BaseModel, Field

from control_tower.chat.tools.base import Tool, ToolContext, ToolError
from control_tower.chat.types import Evidence, ToolResult
from control_tower.domain import SearchFilters, SearchHit
from control_tower.names import display_location
from control_tower.retrieval.audited import audited_search


class SearchInput(BaseModel):
    query: str = Field(min_length=1, max_length=500)
    department: str | None = None
    doc_type: str | None = None
    k: int = Field(default=5, ge=1, le=10)


class SearchHitOut(BaseModel):
    chunk_id: str
    doc_id: str
    title: str
    path: str
    score: float


class SearchOutput(BaseModel):
    hits: list[SearchHitOut] = Field(default_factory=list)


def hit_evidence(hit: SearchHit) -> Evidence:
    c = hit.citation
    return Evidence(
        doc_id=c.doc_id,
        version=c.version,
        title=c.title,
        department=c.department,
        path=display_location(c.department, c.path, c.title),
        doc_type=c.doc_type,
        page=c.page,
        section=c.section,
        char_start=c.char_start,
        char_end=c.char_end,
        chunk_id=hit.chunk_id,
        text=hit.text[:4000],
    )


class SearchDocuments(Tool):
    name = "search_documents"
    description = (
        "문서 내용을 검색해 질문에 관련된 구절을 찾습니다. 부서나 문서 종류로 좁힐 수 있습니다."
    )
    Input = SearchInput
    Output = SearchOutput

    def run(self, ctx: ToolContext, args: SearchInput) -> ToolResult:
        query = args.query.strip()
        if not query:
            raise ToolError("empty_query", "검색어가 비어 있습니다.")
        filters = SearchFilters(
            departments=[args.department] if args.department else [],
            doc_types=[args.doc_type] if args.doc_type else [],
        )
        hits, _ = audited_search(
            ctx.retriever,
            ctx.store,
            ctx.principal,
            query,
            surface=ctx.surface,
            k=args.k,
            filters=filters,
        )
        evidence = [hit_evidence(h) for h in hits]
        out = SearchOutput(
            hits=[
                SearchHitOut(
                    chunk_id=h.chunk_id, doc_id=e.doc_id, title=e.title, path=e.path, score=h.score
                )
                for h, e in zip(hits, evidence, strict=True)
            ]
        )
        summary = f"관련 구절 {len(hits)}건" if hits else "관련 문서를 찾지 못했습니다"
        return ToolResult(tool=self.name, summary=summary, evidence=evidence, data=out.model_dump())
