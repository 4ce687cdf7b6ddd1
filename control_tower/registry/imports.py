"""``ct registry import``: a project list (CSV/XLSX/JSONL) becomes card sources.

An imported list is treated like a document: it has an owning department and an access
level (internal by default), and its rows are readable by whoever may read the list. The
rows are stored as mentions; the next build turns them into cards (one card per row unless
two rows of one department name the same project). Re-importing the same file replaces
its earlier rows, so the command is safe to repeat.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel

from control_tower.domain import AccessLevel, now
from control_tower.registry.importer import UnknownColumnError, import_file
from control_tower.registry.mappings import ColumnMapping, MappingError, builtin_mappings
from control_tower.registry.repo import RegistryRepo
from control_tower.store.ids import canonical_path
from control_tower.store.models import RegistryImportRow

DEFAULT_DEPARTMENT = "미지정"


class ImportReport(BaseModel):
    import_id: str
    path: str
    mapping: str
    rows: int
    imported: int
    skipped_rows: list[int]
    access_level: str
    department: str


def import_id_for(path: str | Path) -> str:
    return hashlib.sha1(canonical_path(path).encode("utf-8")).hexdigest()[:16]


def _auto(path: str | Path, import_id: str, sheet: str | None):  # noqa: ANN202
    """The first built-in mapping whose columns the file has (no --mapping given)."""
    for name in builtin_mappings():
        try:
            return name, import_file(path, name, import_id=import_id, sheet=sheet)
        except UnknownColumnError:
            continue
    raise MappingError(
        "파일의 열 이름에 맞는 기본 매핑이 없습니다. --mapping 으로 매핑 파일(JSON)을 지정하세요 "
        f"(기본 제공: {', '.join(builtin_mappings())})."
    )


def import_project_list(
    store,  # noqa: ANN001
    path: str | Path,
    mapping: str | ColumnMapping | None,
    *,
    department: str | None = None,
    access: AccessLevel = AccessLevel.internal,
    allowed_users: list[str] | None = None,
    allowed_departments: list[str] | None = None,
    sheet: str | None = None,
) -> ImportReport:
    import_id = import_id_for(path)
    if mapping is None:
        mapping, result = _auto(path, import_id, sheet)
    else:
        result = import_file(path, mapping, import_id=import_id, sheet=sheet)
    owner = department or DEFAULT_DEPARTMENT
    mapping_name = (
        (mapping.name or "custom") if isinstance(mapping, ColumnMapping) else str(mapping)
    )
    RegistryRepo(store).save_import(
        RegistryImportRow(
            import_id=import_id,
            path=str(path),
            title=Path(path).name,
            department=owner,
            access_level=access.value,
            allowed_users=list(allowed_users or []),
            allowed_departments=list(allowed_departments or []),
            mapping=mapping_name,
            rows=result.rows,
            mentions=[m.model_dump(mode="json") for m in result.mentions],
            imported_at=now(),
        )
    )
    return ImportReport(
        import_id=import_id,
        path=str(path),
        mapping=mapping_name,
        rows=result.rows,
        imported=len(result.mentions),
        skipped_rows=result.skipped_rows[:100],
        access_level=access.value,
        department=owner,
    )
