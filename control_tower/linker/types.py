"""The linker's outputs: typed links between cards, with evidence, and platform clusters."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

LinkType = Literal["중복", "연계", "선후"]


class Evidence(BaseModel):
    """A cited passage on one side of a link."""

    card: str
    doc_id: str
    version: int = 1
    path: str = ""
    page: int | None = None
    section: str | None = None
    text: str


class Link(BaseModel):
    """``a``/``b`` are card ids; for ``선후`` ``a`` is the prerequisite (what ``b`` needs).

    ``score`` in [0, 1] and ``type`` are computed without the LLM from ``features``;
    ``rationale`` starts as a deterministic Korean sentence (``rationale_method="rule"``) and
    may be replaced by an LLM sentence written when someone opens the link (``"llm"``).
    ``docs`` lists every document id whose content the score or the evidence used: a caller
    who cannot read one of them gets the link recomputed on what they can read, or not at all.
    """

    a: str
    b: str
    type: LinkType
    score: float
    evidence: list[Evidence] = Field(default_factory=list)
    rationale: str = ""
    rationale_method: Literal["rule", "llm"] = "rule"
    shared: list[str] = Field(default_factory=list)  # shared entities / components, Korean
    features: dict[str, float] = Field(default_factory=dict)
    docs: list[str] = Field(default_factory=list)

    def key(self) -> tuple[str, str, str]:
        return (self.a, self.b, self.type)


class Cluster(BaseModel):
    """Linked cards that should share one platform (통합 플랫폼 후보)."""

    id: str
    cards: list[str]
    component: str  # the shared component, e.g. 통합 데이터 플랫폼, CCTV 영상분석
    rationale: str
