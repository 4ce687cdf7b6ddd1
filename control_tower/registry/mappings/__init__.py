"""Column mappings for importing project lists: which column feeds which card field.

A mapping is data (a JSON file), so a new city's budget export needs a file, not code. Built-in
mappings live next to this module as ``<name>.json``; ``load_mapping`` also accepts a path to a
JSON file of the same shape. The importer (``control_tower.registry.importer``) applies it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from control_tower.registry.types import FUNDING_KEYS, LIST_FIELDS, SCALAR_FIELDS

MAPPINGS_DIR = Path(__file__).resolve().parent
MoneyUnit = Literal["원", "천원", "백만원", "억원"]
# How many of a unit make 1억원: 1억원 = 10^8원 = 10^5천원 = 100백만원.
UNITS_PER_EOK: dict[str, int] = {"원": 100_000_000, "천원": 100_000, "백만원": 100, "억원": 1}
# Fields a mapping may fill from text columns (money, years and departments have own keys).
TEXT_FIELDS = ("name", "aliases", "goal", "summary", "technologies", "data", "beneficiaries")
TEXT_FIELDS += ("partners", "kpis", "laws", "status")


class MappingError(ValueError):
    """A mapping that cannot be used; ``message_ko`` is for people."""

    def __init__(self, message_ko: str):
        self.message_ko = message_ko
        super().__init__(message_ko)


def _columns(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class ColumnMapping(BaseModel):
    """Card field ← column name(s).

    ``fields`` maps a card field to one column or several; several text columns are joined
    with a line break (empty cells dropped). List fields (``laws``, ``kpis`` …) are split on
    ``list_separator``. ``department`` is the lead department's column; with
    ``department_last_word`` a value like "경제진흥본부 문화융합경제과" yields the unit that runs
    the project (문화융합경제과) and the whole string is kept as the source's ``section`` — the
    실국 is the unit's parent, not a partner, and putting it into ``partners`` would make every
    project of one 본부 share an entity for the linker.
    """

    name: str = ""
    description: str = ""
    fields: dict[str, list[str]] = Field(default_factory=dict)
    department: list[str] = Field(default_factory=list)
    department_last_word: bool = False
    budget: list[str] = Field(default_factory=list)
    budget_unit: MoneyUnit = "원"
    funding: dict[str, str] = Field(default_factory=dict)  # 국비/도비/시비/민자 → column
    start_year: str | None = None
    end_year: str | None = None
    list_separator: str = r"\n|;"

    @field_validator("fields", mode="before")
    @classmethod
    def _listify(cls, value):
        if isinstance(value, dict):
            return {k: _columns(v) for k, v in value.items()}
        return value

    @field_validator("department", "budget", mode="before")
    @classmethod
    def _listify_one(cls, value):
        return _columns(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _known_fields(self) -> ColumnMapping:
        unknown = sorted(set(self.fields) - set(TEXT_FIELDS))
        if unknown:
            allowed = ", ".join(TEXT_FIELDS)
            raise ValueError(f"알 수 없는 카드 필드: {', '.join(unknown)} (사용 가능: {allowed})")
        if "name" not in self.fields:
            raise ValueError("사업명 열(fields.name)이 지정되지 않았습니다")
        bad = sorted(set(self.funding) - set(FUNDING_KEYS))
        if bad:
            raise ValueError(f"재원 구분은 {'/'.join(FUNDING_KEYS)} 중 하나여야 합니다: {bad}")
        return self

    def columns(self) -> list[str]:
        """Every column the mapping reads, in a stable order (for checking against a header)."""
        cols = [c for cs in self.fields.values() for c in cs]
        cols += self.department + self.budget + list(self.funding.values())
        cols += [c for c in (self.start_year, self.end_year) if c]
        return list(dict.fromkeys(cols))

    def is_list(self, field: str) -> bool:
        return field in LIST_FIELDS

    def is_scalar(self, field: str) -> bool:
        return field in SCALAR_FIELDS


def builtin_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.json"))


def load_mapping(name_or_path: str | Path) -> ColumnMapping:
    """A built-in mapping by name (``seoul_budget_2018``), or a JSON mapping file."""
    text = str(name_or_path)
    builtin = MAPPINGS_DIR / f"{text}.json"
    path = builtin if builtin.is_file() and "/" not in text else Path(text)
    if not path.is_file():
        names = ", ".join(builtin_mappings())
        raise MappingError(
            f"매핑 '{text}'을(를) 찾을 수 없습니다 (기본 제공: {names}, 또는 JSON 파일 경로)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(f"매핑 파일을 읽을 수 없습니다 ({path}): {exc}") from exc
    if isinstance(data, dict):
        data.setdefault("name", path.stem)
    try:
        return ColumnMapping.model_validate(data)
    except ValidationError as exc:
        msgs = (str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors())
        problems = "; ".join(msgs)
        raise MappingError(f"매핑 파일이 올바르지 않습니다 ({path}): {problems}") from exc
