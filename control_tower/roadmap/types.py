"""The roadmap's domain types: guidance in, a computed structure out, prose on top.

Everything here but ``Section.text`` is computed (phases, order, budgets, KPIs, training); the
LLM writes section prose from the structure and never sets a number. A draft is versioned as
a whole: every edit, regeneration or restore makes a new ``RoadmapVersion``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

PhaseName = Literal["단기", "중기", "장기"]
SectionKey = Literal[
    "background", "status", "vision", "initiatives", "phases", "budget", "governance", "appendix"
]
# The outline Korean government plans use, in order, with the numerals they print.
SECTION_TITLES: dict[str, str] = {
    "background": "Ⅰ. 추진 배경",
    "status": "Ⅱ. 현황 및 여건",
    "vision": "Ⅲ. 비전·목표·추진전략",
    "initiatives": "Ⅳ. 추진과제",
    "phases": "Ⅴ. 단계별 추진 로드맵",
    "budget": "Ⅵ. 연도별 소요 예산",
    "governance": "Ⅶ. 추진체계 및 성과관리",
    "appendix": "붙임. 출처 문서",
}
SECTION_KEYS: tuple[str, ...] = tuple(SECTION_TITLES)


class Guidance(BaseModel):
    """What the AI division asks for. ``ceiling_eok`` is the budget ceiling *per year*."""

    from_year: int = Field(ge=2000, le=2100)
    to_year: int = Field(ge=2000, le=2100)
    vision: str | None = Field(default=None, max_length=200)
    pillars: list[str] = Field(default_factory=list)
    ceiling_eok: float | None = Field(default=None, gt=0)
    title: str | None = Field(default=None, max_length=120)
    staff_count: int | None = Field(default=None, ge=1)  # 전 직원 수, for the all-staff course

    @model_validator(mode="after")
    def _years(self) -> Guidance:
        if self.to_year < self.from_year:
            raise ValueError("종료 연도가 시작 연도보다 앞섭니다.")
        if self.to_year - self.from_year > 15:
            raise ValueError("로드맵 기간은 15년 이내로 지정하세요.")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.from_year, self.to_year + 1))


class SourceLink(BaseModel):
    """Where an initiative comes from: a card (and the document it cites) or a proposal."""

    card: str | None = None
    proposal: str | None = None
    doc_id: str | None = None
    title: str = ""
    path: str = ""
    page: int | None = None
    section: str | None = None


class Kpi(BaseModel):
    name: str
    baseline: str  # a measured value from a document, or the measurement plan
    baseline_year: int
    target: str
    target_year: int
    initiative: str | None = None  # None for a goal-level KPI
    source: SourceLink | None = None


class Initiative(BaseModel):
    id: str
    title: str
    kind: Literal["card", "proposal", "platform"]
    departments: list[str]
    pillar: str = ""
    phase: PhaseName = "단기"
    start_year: int
    end_year: int
    fixed: bool = False  # its years come from a document (an ongoing project): not moved
    depends_on: list[str] = Field(default_factory=list)  # initiative ids that must come first
    budget_by_year: dict[int, float] = Field(default_factory=dict)  # 억원
    budget_basis: str = ""  # how the numbers were obtained (documented, catalogue estimate …)
    technologies: list[str] = Field(default_factory=list)
    summary: str = ""
    kpis: list[Kpi] = Field(default_factory=list)
    cards: list[str] = Field(default_factory=list)  # member cards (a platform has several)
    sources: list[SourceLink] = Field(default_factory=list)

    @property
    def budget_total(self) -> float:
        return round(sum(self.budget_by_year.values()), 2)


class Phase(BaseModel):
    name: PhaseName
    start_year: int
    end_year: int
    initiatives: list[str] = Field(default_factory=list)


class Pillar(BaseModel):
    name: str
    goal: str = ""
    initiatives: list[str] = Field(default_factory=list)


class Goal(BaseModel):
    title: str
    kpis: list[Kpi] = Field(default_factory=list)


class Budget(BaseModel):
    by_year: dict[int, float] = Field(default_factory=dict)
    by_department: dict[str, float] = Field(default_factory=dict)
    by_initiative: dict[str, float] = Field(default_factory=dict)
    by_year_department: dict[int, dict[str, float]] = Field(default_factory=dict)
    total_eok: float = 0.0
    ceiling_eok: float | None = None
    notes: list[str] = Field(default_factory=list)  # what was deferred to meet the ceiling


class TrainingItem(BaseModel):
    department: str
    skills: list[str]
    course: str  # 역량 강화 교육 과정
    audience: str  # 대상
    headcount: int  # 인원
    year: int
    timing: str  # 시기, e.g. "2026년 상반기"
    initiatives: list[str] = Field(default_factory=list)


class Governance(BaseModel):
    committee: str
    lead_unit: str
    members: list[str] = Field(default_factory=list)
    department_leads: dict[str, str] = Field(default_factory=dict)  # department → role
    cadence: list[str] = Field(default_factory=list)  # 운영 방식 (정기 회의, 점검 …)


class Risk(BaseModel):
    risk: str
    mitigation: str
    initiatives: list[str] = Field(default_factory=list)


class Check(BaseModel):
    name: str
    ok: bool
    detail: str
    items: list[str] = Field(default_factory=list)  # what failed (or was flagged), per item


class RegistryStats(BaseModel):
    cards: int = 0
    departments: int = 0
    by_status: dict[str, int] = Field(default_factory=dict)
    by_department: dict[str, int] = Field(default_factory=dict)
    by_technology: dict[str, int] = Field(default_factory=dict)
    budget_total_eok: float = 0.0
    links: dict[str, int] = Field(default_factory=dict)  # link type → count
    clusters: int = 0


class RoadmapStructure(BaseModel):
    guidance: Guidance
    title: str
    vision: str
    goals: list[Goal] = Field(default_factory=list)
    pillars: list[Pillar] = Field(default_factory=list)
    initiatives: list[Initiative] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    budget: Budget = Field(default_factory=Budget)
    training: list[TrainingItem] = Field(default_factory=list)
    governance: Governance
    risks: list[Risk] = Field(default_factory=list)
    stats: RegistryStats = Field(default_factory=RegistryStats)
    order: list[str] = Field(default_factory=list)  # initiative ids in dependency order
    sources: list[SourceLink] = Field(default_factory=list)  # the appendix, numbered from 1
    # every document the structure was computed from (cards, links, proposals — statistics
    # included): a reader must be able to read all of them to see the draft
    input_docs: list[str] = Field(default_factory=list)

    def initiative(self, initiative_id: str) -> Initiative | None:
        return next((i for i in self.initiatives if i.id == initiative_id), None)

    def documents(self) -> set[str]:
        """Every document id the structure cites or was computed from (the access set)."""
        docs = set(self.input_docs) | {src.doc_id for src in self.sources if src.doc_id}
        for ini in self.initiatives:
            docs |= {src.doc_id for src in ini.sources if src.doc_id}
            docs |= {k.source.doc_id for k in ini.kpis if k.source and k.source.doc_id}
        return docs


class Section(BaseModel):
    key: str
    title: str
    text: str  # Korean prose (paragraphs separated by blank lines); [n] cites sources[n-1]
    method: Literal["llm", "template", "edit"]
    note: str = ""  # why a template was used (LLM down, output failed validation twice …)
    by: str | None = None
    at: datetime | None = None


class RoadmapVersion(BaseModel):
    draft_id: str
    version: int
    created_at: datetime
    created_by: str
    note: str  # what made this version: 생성, 절 재생성, 절 수정, 구조 수정, 복원
    structure: RoadmapStructure
    sections: dict[str, Section] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list)
