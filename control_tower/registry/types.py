"""The registry's domain types: a project card whose every field value keeps its source.

A card never holds a bare value. Each field holds a list of ``FieldValue`` candidates, one per
document (or import row, or edit) that stated it, newest source first; an ``edit`` candidate,
when present, comes first and wins. Conflicting values therefore stay side by side with their
sources, and hiding a field from a caller who cannot read its document is a filter over this
list (``visibility.py``), not a second code path.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Method = Literal["rule", "table", "llm", "import", "edit"]
Status = Literal["계획", "추진중", "완료", "보류"]
FUNDING_KEYS = ("국비", "도비", "시비", "민자")

# Card fields in display order. Scalar fields show one value; list fields show a list.
SCALAR_FIELDS = (
    "name",
    "status",
    "start_year",
    "start_month",
    "end_year",
    "end_month",
    "budget_eok",
    "funding",
    "goal",
    "summary",
)
LIST_FIELDS = (
    "aliases",
    "departments",
    "technologies",
    "data",
    "beneficiaries",
    "partners",
    "kpis",
    "laws",
)
CARD_FIELDS = SCALAR_FIELDS + LIST_FIELDS


class SourceRef(BaseModel):
    """Where a value was read: a document version and a place in it, or an import file row.

    ``doc_id`` is a document id from the store, or ``import:<import_id>`` for an import row.
    ``char_start``/``char_end`` are offsets into the document's full text (``ingest.chunking.
    full_text``), the same space chunk citations use.
    """

    doc_id: str
    version: int = 1
    path: str = ""
    title: str = ""
    department: str = ""
    doc_date: date | None = None
    page: int | None = None
    section: str | None = None
    row: int | None = None
    char_start: int | None = None
    char_end: int | None = None

    def key(self) -> tuple[str, int]:
        return (self.doc_id, self.version)


class FieldValue(BaseModel):
    value: Any
    method: Method
    source: SourceRef | None = None  # None only for edits
    by: str | None = None  # editor (method == "edit")
    at: datetime | None = None  # edit time


class Passage(BaseModel):
    """A short cited text of a card's source, kept for link evidence and review reports.

    ``kind``: ``body`` — from the project's own document (its plan, its import row);
    ``mention`` — a block of another document that names the project (a meeting note, a
    budget sheet listing many projects). Mentions are evidence *about* the project, not a
    description of it: they must not make two projects look alike, but one block naming
    both is strong evidence that they are linked.
    """

    text: str = Field(max_length=600)
    source: SourceRef
    kind: Literal["body", "mention"] = "body"


class Mention(BaseModel):
    """What one document says about one project: the unit extraction produces.

    ``role``: ``primary`` — the document is about this project (a 사업계획서: its overview
    table, its title); ``reference`` — the project appears in passing (a budget-sheet row, a
    meeting note, a work-plan table). A reference attaches to an existing card when it names
    one; it creates a card only when it carries a budget of its own (a budget-sheet row).
    """

    name: str
    role: Literal["primary", "reference"] = "primary"
    lead_department: str | None = None
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    passages: list[Passage] = Field(default_factory=list)
    source: SourceRef


class ProjectCard(BaseModel):
    id: str
    fields: dict[str, list[FieldValue]] = Field(default_factory=dict)
    passages: list[Passage] = Field(default_factory=list)
    origin: Literal["extract", "import"] = "extract"

    def value(self, name: str, default: Any = None) -> Any:
        """The value shown: an edit if there is one, else the newest source's; a list field
        shows the union of its sources' lists (newest first) unless an edit sets it."""
        values = self.fields.get(name)
        if not values:
            return default
        if name not in LIST_FIELDS or values[0].method == "edit":
            return values[0].value
        merged: list = []
        for fv in values:
            for item in fv.value or []:
                if item not in merged:
                    merged.append(item)
        return merged

    def first(self, name: str) -> FieldValue | None:
        values = self.fields.get(name)
        return values[0] if values else None

    @property
    def name(self) -> str:
        return self.value("name", "")

    @property
    def departments(self) -> list[str]:
        return list(self.value("departments", []) or [])

    @property
    def lead_department(self) -> str | None:
        deps = self.departments
        return deps[0] if deps else None

    def sources(self) -> list[SourceRef]:
        """Every distinct document version the card draws on, newest first."""
        seen: dict[tuple[str, int], SourceRef] = {}
        for values in self.fields.values():
            for fv in values:
                if fv.source is not None:
                    seen.setdefault(fv.source.key(), fv.source)
        for p in self.passages:
            seen.setdefault(p.source.key(), p.source)
        return sorted(seen.values(), key=lambda s: s.doc_date or date.min, reverse=True)

    def text(self) -> str:
        """The card as one text, for embeddings and term matching."""
        parts = [self.name, *self.value("aliases", [])]
        for key in ("goal", "summary"):
            if self.value(key):
                parts.append(str(self.value(key)))
        for key in ("technologies", "data", "beneficiaries", "partners"):
            parts.extend(str(v) for v in self.value(key, []) or [])
        seen = set(" ".join(parts).replace(":", " ").split())
        for p in self.passages:
            words = set(p.text.replace(":", " ").split())
            if p.kind == "body" and not words <= seen:  # skip restatements (import rows)
                parts.append(p.text)
                seen |= words
        return "\n".join(p for p in parts if p)
