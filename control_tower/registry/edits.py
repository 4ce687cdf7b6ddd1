"""People's corrections: an edit overrides one field, says who and when, outlives every
re-extraction (the build re-applies active edits on top of what the documents say), and can
be reverted — the row is marked, never deleted, so the card's history stays readable."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from control_tower.domain import now
from control_tower.registry.types import (
    CARD_FIELDS,
    FUNDING_KEYS,
    LIST_FIELDS,
    FieldValue,
    ProjectCard,
)
from control_tower.store.models import RegistryEditRow

STATUSES = ("계획", "추진중", "완료", "보류")
INT_FIELDS = ("start_year", "start_month", "end_year", "end_month")


class EditError(ValueError):
    def __init__(self, code: str, message_ko: str) -> None:
        super().__init__(message_ko)
        self.code = code
        self.message_ko = message_ko


def coerce(field: str, value: Any) -> Any:
    """The typed value of ``field`` from user input (a JSON value or CLI text)."""
    if field not in CARD_FIELDS:
        raise EditError("unknown_field", f"알 수 없는 항목입니다: {field}")
    if value is None or value == "":
        return [] if field in LIST_FIELDS else None
    try:
        if field in LIST_FIELDS:
            items = value if isinstance(value, list) else str(value).split(",")
            return [str(v).strip() for v in items if str(v).strip()]
        if field in INT_FIELDS:
            number = int(str(value).strip())
            limit = (1, 12) if field.endswith("month") else (1900, 2200)
            if not limit[0] <= number <= limit[1]:
                raise ValueError
            return number
        if field == "budget_eok":
            number = float(str(value).replace(",", "").strip())
            if number < 0:
                raise ValueError
            return number
        if field == "funding":
            return _funding(value)
        if field == "status" and str(value) not in STATUSES:
            raise EditError("bad_value", f"상태는 {'/'.join(STATUSES)} 중 하나여야 합니다.")
    except (TypeError, ValueError) as exc:
        if isinstance(exc, EditError):
            raise
        raise EditError("bad_value", f"'{field}' 항목의 값이 올바르지 않습니다: {value}") from None
    return str(value).strip()


def _funding(value: Any) -> dict[str, float]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = json.loads(text)
        else:  # 국비:10,시비:5 (or 국비=10)
            value = dict(p.replace("=", ":").split(":", 1) for p in text.split(",") if p.strip())
    if not isinstance(value, dict):
        raise ValueError
    out: dict[str, float] = {}
    for key, amount in value.items():
        key = str(key).strip()
        if key not in FUNDING_KEYS:
            raise EditError("bad_value", f"재원은 {'/'.join(FUNDING_KEYS)} 중에서 고르세요: {key}")
        out[key] = float(str(amount).replace(",", "").strip())
    return out


def active_edits(store) -> dict[str, dict[str, RegistryEditRow]]:  # noqa: ANN001
    """card id → field → the newest edit not reverted."""
    out: dict[str, dict[str, RegistryEditRow]] = {}
    with store.session() as s:
        rows = s.scalars(
            select(RegistryEditRow)
            .where(RegistryEditRow.reverted_at.is_(None))
            .order_by(RegistryEditRow.id)
        ).all()
        s.expunge_all()
    for row in rows:
        out.setdefault(row.card_id, {})[row.field] = row
    return out


def apply_edits(card: ProjectCard, edits: dict[str, RegistryEditRow]) -> ProjectCard:
    """The card with each edited field's edit in front of the documents' values."""
    fields = {k: [v for v in vals if v.method != "edit"] for k, vals in card.fields.items()}
    for field, row in edits.items():
        fv = FieldValue(value=row.value.get("value"), method="edit", by=row.username, at=row.at)
        fields[field] = [fv, *fields.get(field, [])]
    return card.model_copy(update={"fields": {k: v for k, v in fields.items() if v}})


def record_edit(store, card_id: str, field: str, value: Any, username: str) -> None:  # noqa: ANN001
    with store.begin() as s:
        s.add(
            RegistryEditRow(
                card_id=card_id,
                field=field,
                value={"value": coerce(field, value)},
                username=username,
                at=now(),
            )
        )


def revert_edit(store, card_id: str, field: str, username: str) -> bool:  # noqa: ANN001
    """Mark the field's active edits reverted; False if there was none."""
    with store.begin() as s:
        rows = s.scalars(
            select(RegistryEditRow).where(
                RegistryEditRow.card_id == card_id,
                RegistryEditRow.field == field,
                RegistryEditRow.reverted_at.is_(None),
            )
        ).all()
        for row in rows:
            row.reverted_at = now()
            row.reverted_by = username
        return bool(rows)


def history(store, card_id: str) -> list[dict]:  # noqa: ANN001
    with store.session() as s:
        rows = s.scalars(
            select(RegistryEditRow)
            .where(RegistryEditRow.card_id == card_id)
            .order_by(RegistryEditRow.id.desc())
        ).all()
        return [
            {
                "field": r.field,
                "value": r.value.get("value"),
                "by": r.username,
                "at": r.at.isoformat(),
                "reverted_at": r.reverted_at.isoformat() if r.reverted_at else None,
                "reverted_by": r.reverted_by,
            }
            for r in rows
        ]
