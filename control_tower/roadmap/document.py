"""The export document model: what every exporter (Markdown, DOCX, HWPX) writes.

A roadmap draft becomes one ``Document`` (``roadmap.assemble``) and each exporter only lays it
out, so the three formats cannot disagree on content, and the access re-check before export
runs once over one object. Blocks are deliberately few: headings, paragraphs, bullet lists,
tables and notes (the marked template-text warning, for instance).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field


class Heading(BaseModel):
    kind: Literal["heading"] = "heading"
    level: int = Field(ge=1, le=4)
    text: str


class Paragraph(BaseModel):
    kind: Literal["paragraph"] = "paragraph"
    text: str  # may contain citation markers [n] pointing at Document.sources[n-1]


class Bullets(BaseModel):
    kind: Literal["bullets"] = "bullets"
    items: list[str]


class Table(BaseModel):
    kind: Literal["table"] = "table"
    title: str = ""
    header: list[str]
    rows: list[list[str]]
    numeric: list[int] = Field(default_factory=list)  # column indexes to right-align


class Note(BaseModel):
    kind: Literal["note"] = "note"
    text: str


Block = Annotated[Heading | Paragraph | Bullets | Table | Note, Field(discriminator="kind")]


class SourceEntry(BaseModel):
    n: int
    title: str
    path: str = ""  # the document's location as people see it (department/title), not a server path
    page: int | None = None
    section: str | None = None


class Document(BaseModel):
    title: str
    subtitle: str = ""
    blocks: list[Block] = Field(default_factory=list)
    sources: list[SourceEntry] = Field(default_factory=list)

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
