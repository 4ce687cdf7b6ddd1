"""Cards as JSON: the shape ``ct registry list --json`` and ``GET /api/v1/registry`` return.

``path`` is the path as ingested for the CLI and for admins; other API callers get the
document's 부서/파일명 location instead (server paths are not theirs to see, as in search).
"""

from __future__ import annotations

from collections.abc import Callable

from control_tower.names import display_location
from control_tower.registry.types import (
    CARD_FIELDS,
    LIST_FIELDS,
    FieldValue,
    ProjectCard,
    SourceRef,
)

PathFn = Callable[[SourceRef], str]
# list fields whose shown value is the union of every source's list (names and departments
# show the chosen source's list in ``fields``, the union at the top level)
UNION_FIELDS = tuple(f for f in LIST_FIELDS if f not in ("aliases", "departments"))


def raw_path(src: SourceRef) -> str:
    return src.path


def location_path(src: SourceRef) -> str:
    if src.doc_id.startswith("import:"):
        return f"{src.department}/{src.title}" if src.department else src.title
    return display_location(src.department, src.path, src.title)


def source_json(src: SourceRef, path: PathFn, *, title: bool = False) -> dict:
    out = {"doc_id": src.doc_id, "path": path(src), "page": src.page, "section": src.section}
    if title:
        out["title"] = src.title
    if src.row is not None:
        out["row"] = src.row
    if src.char_start is not None:
        out["char_start"], out["char_end"] = src.char_start, src.char_end
    out["doc_date"] = src.doc_date.isoformat() if src.doc_date else None
    return out


def value_json(fv: FieldValue, path: PathFn) -> dict:
    out = {"value": fv.value, "method": fv.method}
    out["source"] = source_json(fv.source, path) if fv.source else None
    if fv.method == "edit":
        out["by"], out["at"] = fv.by, fv.at.isoformat() if fv.at else None
    return out


def card_json(card: ProjectCard, path: PathFn = raw_path, *, detail: bool = False) -> dict:
    out: dict = {"id": card.id, "origin": card.origin}
    for key in CARD_FIELDS:
        default = [] if key in ("aliases", "departments") else None
        out[key] = card.value(key, default)
    out["funding"] = out["funding"] or {}
    for key in UNION_FIELDS:
        out[key] = out[key] or []
    out["sources"] = [source_json(s, path, title=True) for s in card.sources()]
    fields = {}
    for key, values in card.fields.items():
        shown = value_json(values[0], path)
        if key in UNION_FIELDS:
            shown["value"] = card.value(key)
        if len(values) > 1:
            shown["alternatives"] = [value_json(v, path) for v in values[1:]]
        fields[key] = shown
    out["fields"] = fields
    if detail:
        out["passages"] = [
            {"text": p.text, "source": source_json(p.source, path, title=True)}
            for p in card.passages
        ]
    return out
