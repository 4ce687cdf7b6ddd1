"""The ideation domain: catalogue use cases, department profiles and proposals.

A proposal is *computed* — which catalogue entry fits which department, from which cards and
documents, with which scores — and every claim it makes about the department carries a
citation the caller may read. The LLM, when used at all, only rewords; it never picks a use
case, a score or a data set.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Domain = Literal[
    "교통",
    "안전·재난",
    "환경",
    "복지·돌봄",
    "보건",
    "민원·행정",
    "산업·경제",
    "관광·문화",
    "농업·해양",
    "교육",
    "도시계획·건축",
    "세무·재정",
    "인사·내부업무",
]
DOMAINS: tuple[str, ...] = Domain.__args__  # type: ignore[attr-defined]
Technique = Literal["생성형 AI", "자연어처리", "컴퓨터비전", "예측·분석", "최적화", "에이전트"]
TECHNIQUES: tuple[str, ...] = Technique.__args__  # type: ignore[attr-defined]
Maturity = Literal["연구·실증", "시범 도입", "확산", "성숙"]
Phase = Literal["단기", "중기", "장기"]
PHASES: tuple[str, ...] = Phase.__args__  # type: ignore[attr-defined]
CRITERIA = ("적합성", "실현가능성", "확산가능성")


class KpiExample(BaseModel):
    """An example indicator: ``name`` (지표), ``unit`` (단위), ``direction`` (증가/감소),
    ``typical_change`` (e.g. "15% 감소") — what similar projects report, not a promise."""

    name: str
    unit: str
    direction: Literal["증가", "감소"]
    typical_change: str


class Prerequisites(BaseModel):
    data: list[str] = Field(default_factory=list)  # data sets that must exist first
    platform: list[str] = Field(default_factory=list)  # shared platforms it runs on
    privacy: str = ""  # 개인정보 처리 (가명처리, 영향평가 …); "" when none is involved


class CostRange(BaseModel):
    min_eok: float = Field(ge=0)
    max_eok: float = Field(ge=0)


class UseCase(BaseModel):
    """One entry of the catalogue (``control_tower/ideation/catalogue.json``), written by us in
    Korean, with fields modelled on the US federal AI use case inventory and the EU Public
    Sector Tech Watch."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    domain: Domain
    problem: str
    data: list[str] = Field(min_length=1)
    technique: Technique
    outputs: list[str] = Field(min_length=1)
    benefits: list[str] = Field(min_length=1)
    kpis: list[KpiExample] = Field(min_length=1)
    prerequisites: Prerequisites
    risks: list[str] = Field(min_length=1)
    maturity: Maturity
    cost: CostRange
    keywords: list[str] = Field(min_length=3)  # words a department's documents would use
    duration_years: int = Field(default=2, ge=1, le=5)


class Citation(BaseModel):
    """A passage that backs a claim, readable by the caller (re-checked on every read)."""

    doc_id: str
    title: str = ""
    path: str = ""
    page: int | None = None
    section: str | None = None
    text: str = ""
    card: str | None = None  # the card the passage was read from, if any


class CardSummary(BaseModel):
    id: str
    name: str
    departments: list[str] = Field(default_factory=list)
    status: str | None = None
    technologies: list[str] = Field(default_factory=list)
    data: list[str] = Field(default_factory=list)
    budget_eok: float | None = None
    start_year: int | None = None
    end_year: int | None = None


class DepartmentProfile(BaseModel):
    """What a department does, its data, its current projects and their technologies — read
    from its cards and its documents, each item with the citations it came from."""

    department: str
    duties: list[str] = Field(default_factory=list)  # 주요 업무, from its documents
    data: list[str] = Field(default_factory=list)  # data sets it holds or uses
    technologies: list[str] = Field(default_factory=list)
    projects: list[CardSummary] = Field(default_factory=list)
    domains: dict[str, float] = Field(default_factory=dict)  # domain → affinity 0..1
    terms: list[str] = Field(default_factory=list)  # distinctive words of its documents
    citations: dict[str, list[Citation]] = Field(default_factory=dict)  # item → where read


class DataNeed(BaseModel):
    name: str
    available: bool
    cards: list[str] = Field(default_factory=list)  # card ids that hold or produce it
    citation: Citation | None = None


class RelatedCard(BaseModel):
    id: str
    name: str
    departments: list[str] = Field(default_factory=list)
    relation: Literal["연계", "선후", "중복", "참고"]
    score: float = 0.0
    reason: str = ""


class Proposal(BaseModel):
    id: str
    title: str
    departments: list[str]
    use_case: str  # catalogue id
    kind: Literal["신규", "연계"] = "신규"  # 연계: joins an existing card instead of duplicating it
    problem: str
    approach: str
    technique: Technique
    data: list[DataNeed] = Field(default_factory=list)
    related_cards: list[RelatedCard] = Field(default_factory=list)
    kpis: list[str] = Field(default_factory=list)
    prerequisites: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    phase: Phase
    duration_years: int = 2
    cost_eok: float = 0.0  # the catalogue's typical cost (midpoint), for the roadmap
    scores: dict[str, float] = Field(default_factory=dict)  # criterion → 1.0..5.0
    reasons: dict[str, list[str]] = Field(default_factory=dict)  # criterion → reasons
    citations: list[Citation] = Field(default_factory=list)
    review_verdict: str = "추진"  # the linker's 사전협의 verdict on the proposal
    status: Literal["제안", "채택", "보류"] = "제안"
    decided_by: str | None = None

    @property
    def total_score(self) -> float:
        return round(sum(self.scores.get(c, 0.0) for c in CRITERIA), 2)
