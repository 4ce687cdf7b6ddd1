"""The use-case catalogue: our own Korean public-sector AI use cases, loaded and checked.

The catalogue is data (``catalogue.json`` beside this module), not code, so the AI division can
add an entry without touching Python. Loading validates every entry against ``UseCase`` and
fails loudly — naming the entry and the field — because a silently skipped entry would just
never be proposed. ``catalogue.schema.json`` is generated from the model so editors can
validate the file too; ``python -m control_tower.ideation.catalogue --write-schema`` rewrites it.
"""

from __future__ import annotations

import argparse
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from control_tower.ideation.types import DOMAINS, UseCase

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")
SCHEMA_PATH = Path(__file__).with_name("catalogue.schema.json")
# The shared platforms the roadmap schedules before the services that run on them.
PLATFORMS: tuple[str, ...] = (
    "통합 데이터 플랫폼",
    "AI GPU 클라우드",
    "통합 영상 플랫폼",
    "IoT 센서망",
    "공용 챗봇 플랫폼",
    "디지털 트윈",
)


class CatalogueError(ValueError):
    """The catalogue file is unreadable, an entry is invalid, or ids collide (Korean message)."""


class Catalogue(BaseModel):
    entries: list[UseCase]

    def by_id(self, use_case_id: str) -> UseCase:
        for entry in self.entries:
            if entry.id == use_case_id:
                return entry
        raise KeyError(f"카탈로그에 없는 활용 사례입니다: {use_case_id}")

    def by_domain(self, domain: str) -> list[UseCase]:
        if domain not in DOMAINS:
            raise KeyError(f"알 수 없는 분야입니다: {domain} (가능한 분야: {', '.join(DOMAINS)})")
        return [e for e in self.entries if e.domain == domain]


def schema() -> dict[str, Any]:
    return TypeAdapter(list[UseCase]).json_schema()


def _entry(index: int, raw: Any) -> UseCase:
    label = f"항목 #{index}" + (f" (id={raw.get('id')})" if isinstance(raw, dict) else "")
    try:
        entry = UseCase.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "(항목 전체)"
        raise CatalogueError(
            f"카탈로그 {label}의 '{field}' 필드가 올바르지 않습니다: {err['msg']}"
        ) from exc
    if entry.cost.min_eok > entry.cost.max_eok:
        raise CatalogueError(f"카탈로그 {label}의 'cost' 필드에서 min_eok가 max_eok보다 큽니다.")
    unknown = [p for p in entry.prerequisites.platform if p not in PLATFORMS]
    if unknown:
        raise CatalogueError(
            f"카탈로그 {label}의 'prerequisites.platform' 필드에 정해지지 않은 플랫폼이 있습니다: "
            f"{', '.join(unknown)} (가능한 이름: {', '.join(PLATFORMS)})"
        )
    return entry


def parse_catalogue(text: str, source: str = "카탈로그") -> Catalogue:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"{source} 파일이 올바른 JSON이 아닙니다 (줄 {exc.lineno}, 열 {exc.colno}): {exc.msg}"
        ) from exc
    if not isinstance(raw, list):
        raise CatalogueError(f"{source} 파일의 최상위는 활용 사례 목록(JSON 배열)이어야 합니다.")
    entries = [_entry(i, item) for i, item in enumerate(raw)]
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if entry.id in seen:
            raise CatalogueError(
                f"카탈로그 id가 중복됩니다: {entry.id} (항목 #{seen[entry.id]}, #{i})"
            )
        seen[entry.id] = i
    return Catalogue(entries=entries)


@lru_cache(maxsize=1)
def _default() -> Catalogue:
    return load_catalogue(CATALOGUE_PATH)


def load_catalogue(path: Path | None = None) -> Catalogue:
    if path is None:
        return _default()
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise CatalogueError(f"카탈로그 파일을 읽을 수 없습니다: {path} ({exc.strerror})") from exc
    return parse_catalogue(text, source=f"카탈로그({Path(path).name})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Use-case catalogue tools")
    parser.add_argument("--write-schema", action="store_true", help="regenerate the schema file")
    args = parser.parse_args(argv)
    if args.write_schema:
        SCHEMA_PATH.write_text(json.dumps(schema(), ensure_ascii=False, indent=2) + "\n", "utf-8")
        print(f"wrote {SCHEMA_PATH}")
    catalogue = load_catalogue(CATALOGUE_PATH)
    print(f"{len(catalogue.entries)} entries OK")


if __name__ == "__main__":
    main()
