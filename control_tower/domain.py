"""Domain types shared by every package. Plain pydantic models, no behaviour beyond validation."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel, Field, field_validator


def nfc(text: str) -> str:
    """NFD Hangul halves recall and breaks exact metadata filters: normalize everything."""
    return unicodedata.normalize("NFC", text)


def name_key(text: str) -> str:
    """How account and department names are compared and stored: NFKC, trimmed.

    Stricter than ``nfc``: some IMEs and HWP copy-paste give Hangul compatibility jamo
    (ㅂㅐㅌㅓ리, U+3142 …) or full-width letters, which NFC leaves apart, so one person or
    department would otherwise exist twice. NFKC output is also NFC."""
    return unicodedata.normalize("NFKC", text).strip()


class AccessLevel(str, Enum):
    public = "public"  # anyone, including unauthenticated demo users
    internal = "internal"  # any signed-in staff member of the city
    department = "department"  # the owning department only (plus admins)
    restricted = "restricted"  # the allow-list only (plus admins)


class Role(str, Enum):
    staff = "staff"
    dept_head = "dept_head"
    ai_division = "ai_division"
    admin = "admin"


class Principal(BaseModel):
    """Who is asking. Every search, agent run and export runs as one."""

    username: str
    department: str | None = None
    roles: set[Role] = Field(default_factory=lambda: {Role.staff})
    authenticated: bool = True

    @field_validator("username", "department")
    @classmethod
    def _nfc(cls, v: str | None) -> str | None:
        return nfc(v) if v is not None else v

    @property
    def is_admin(self) -> bool:
        return Role.admin in self.roles

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(username="anonymous", department=None, roles=set(), authenticated=False)


class DocumentStatus(str, Enum):
    indexed = "indexed"
    updated = "updated"
    unchanged = "unchanged"
    skipped = "skipped"
    failed = "failed"


class BlockKind(str, Enum):
    heading = "heading"
    paragraph = "paragraph"
    table = "table"  # text is Markdown
    list_item = "list_item"


class Block(BaseModel):
    """One structural unit a parser found, with where it came from."""

    kind: BlockKind = BlockKind.paragraph
    text: str
    level: int | None = None  # heading level (1 = top)
    page: int | None = None  # 1-based PDF page or PPTX slide
    paragraph_index: int | None = None  # 0-based paragraph counter (HWP/HWPX/DOCX/TXT)
    sheet: str | None = None  # XLSX/CSV sheet name
    row: int | None = None  # 1-based spreadsheet row (first row of the block)


class ParsedDocument(BaseModel):
    """What a parser returns: the text in order, with structure. No chunking yet."""

    title: str | None = None
    blocks: list[Block]
    parser: str  # e.g. "unhwp", "hwp2markdown", "pdfium"
    page_count: int | None = None
    warnings: list[str] = Field(default_factory=list)
    metadata: dict[str, str] = Field(default_factory=dict)


class DocumentMeta(BaseModel):
    """Who owns a document and who may read it. Travels with every chunk."""

    doc_id: str
    version: int = 1
    title: str
    department: str
    access_level: AccessLevel = AccessLevel.internal
    allowed_users: list[str] = Field(default_factory=list)  # restricted allow-list
    allowed_departments: list[str] = Field(default_factory=list)  # restricted allow-list
    source_path: str
    doc_type: str  # detected format: hwp, hwpx, pdf, docx, xlsx, csv, pptx, html, txt, md
    doc_date: date | None = None
    content_hash: str


class Chunk(BaseModel):
    """The unit that is embedded, indexed, retrieved and cited."""

    chunk_id: str  # f"{doc_id}:{version}:{ordinal}" — deterministic, so re-runs upsert
    ordinal: int
    text: str  # what is indexed: heading context + body
    meta: DocumentMeta
    page: int | None = None
    section: str | None = None  # heading path joined with " > "
    paragraph_index: int | None = None
    sheet: str | None = None
    row: int | None = None
    char_start: int  # span in the document's normalized full text
    char_end: int


class SearchFilters(BaseModel):
    departments: list[str] = Field(default_factory=list)
    doc_types: list[str] = Field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None

    # Normalized here, once, so every backend compares the same strings as the index holds
    # (NFC department names, lower-case doc types).
    @field_validator("departments")
    @classmethod
    def _nfc_departments(cls, v: list[str]) -> list[str]:
        return [nfc(d).strip() for d in v]

    @field_validator("doc_types")
    @classmethod
    def _lower_doc_types(cls, v: list[str]) -> list[str]:
        return [t.strip().lower() for t in v]


class Citation(BaseModel):
    doc_id: str
    version: int
    title: str
    department: str
    path: str
    doc_type: str
    page: int | None = None
    section: str | None = None
    paragraph_index: int | None = None
    sheet: str | None = None
    row: int | None = None
    char_start: int
    char_end: int


class SearchHit(BaseModel):
    chunk_id: str
    score: float
    text: str
    snippet: str  # highlighted excerpt, query terms wrapped in <mark>…</mark>
    citation: Citation
    dense_rank: int | None = None
    sparse_rank: int | None = None


class IngestFileResult(BaseModel):
    path: str  # as given by the caller
    status: DocumentStatus
    reason: str | None = None  # machine code, e.g. "drm_markany"
    message: str | None = None  # Korean, for people
    chunks: int = 0
    doc_id: str | None = None


class IngestReport(BaseModel):
    run_id: str | None = None
    files: list[IngestFileResult]
    counts: dict[str, int]
    removed: list[str] = Field(default_factory=list)  # doc ids removed by --sync

    @classmethod
    def from_files(cls, files: list[IngestFileResult], **kw) -> IngestReport:
        counts = {s.value: 0 for s in DocumentStatus}
        for f in files:
            counts[f.status.value] += 1
        counts["total"] = len(files)
        return cls(files=files, counts=counts, **kw)


def now() -> datetime:
    return datetime.now().astimezone()
