"""The demo content as typed data: one JSON file per department under ``content/``.

Content is data, not code: writers read these models and never carry Korean text themselves.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from control_tower.domain import AccessLevel, nfc

CONTENT_DIR = Path(__file__).resolve().parent / "content"
USERS_FILE = Path(__file__).resolve().parent / "users.json"
LINKS_FILE = CONTENT_DIR / "links.json"

FileFormat = Literal["hwpx", "hwp", "pdf", "docx", "xlsx"]
Cell = str | int | float


def _nfc_deep(value):
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_nfc_deep(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): _nfc_deep(v) for k, v in value.items()}
    return value


class TableBlock(BaseModel):
    title: str | None = None
    header: list[str]
    rows: list[list[Cell]]

    @model_validator(mode="after")
    def _rectangular(self) -> TableBlock:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"table row {row!r} does not match header {self.header!r}")
        return self


class Section(BaseModel):
    heading: str
    level: int = 1
    lines: list[str] = Field(default_factory=list)
    table: TableBlock | None = None


class Sheet(TableBlock):
    name: str = Field(max_length=31)  # Excel's sheet-name limit
    notes: list[str] = Field(default_factory=list)


class DemoDocument(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    format: FileFormat
    doc_type: str  # document kind: 사업계획, 주요업무계획, 회의록, 보고서, 예산자료
    doc_no: str
    date: date
    access: AccessLevel
    allowed_users: list[str] = Field(default_factory=list)
    allowed_departments: list[str] = Field(default_factory=list)
    overview: list[tuple[str, str]] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    sheets: list[Sheet] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> DemoDocument:
        if self.format == "xlsx" and not self.sheets:
            raise ValueError(f"{self.key}: an xlsx document needs sheets")
        if self.format != "xlsx" and not self.sections:
            raise ValueError(f"{self.key}: a {self.format} document needs sections")
        if self.access is AccessLevel.restricted and not (
            self.allowed_users or self.allowed_departments
        ):
            raise ValueError(f"{self.key}: a restricted document needs an allow-list")
        return self


class DepartmentContent(BaseModel):
    department: str
    documents: list[DemoDocument]

    @field_validator("department")
    @classmethod
    def _nfc(cls, v: str) -> str:
        return nfc(v)


class ProjectLink(BaseModel):
    """Ground truth for the linker: how two documents' projects relate."""

    source: str
    target: str
    type: Literal["related", "duplicate", "depends_on"]  # depends_on: source depends on target
    reason: str


class DemoUser(BaseModel):
    username: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    display_name: str
    department: str | None
    roles: list[Literal["staff", "dept_head", "ai_division", "admin"]]


def _read_json(path: Path):
    return _nfc_deep(json.loads(path.read_text(encoding="utf-8")))


def load_departments(content_dir: Path = CONTENT_DIR) -> list[DepartmentContent]:
    """Every department file, sorted by file name so generation order never changes."""
    files = sorted(p for p in content_dir.glob("*.json") if p.name != LINKS_FILE.name)
    return [DepartmentContent.model_validate(_read_json(p)) for p in files]


def load_links(path: Path = LINKS_FILE) -> list[ProjectLink]:
    return [ProjectLink.model_validate(item) for item in _read_json(path)["links"]]


def load_users(path: Path = USERS_FILE) -> list[DemoUser]:
    return [DemoUser.model_validate(item) for item in _read_json(path)["users"]]
