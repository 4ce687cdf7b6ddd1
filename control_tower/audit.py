"""Audit log: who did what, when — logins (and failures), searches, uploads, exports, edits and
admin actions — as rows of the ``audit_events`` table.

In SQL rather than a file because the admin pages filter it and the AI-adoption dashboard
aggregates it week by week; the table is append-only (nothing here updates or deletes). A data
folder from before the table existed had ``logs/audit.jsonl``: the migration step imports it
(``import_jsonl``) so no event is lost.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from control_tower.domain import Principal, now
from control_tower.store.models import AuditEventRow

LEGACY_AUDIT_FILE = "audit.jsonl"


class AuditEvent(BaseModel):
    event: str  # "search", "login", "login_failed", "upload", "admin.user_create", …
    surface: str  # "web", "api", "cli", "agent"
    username: str
    department: str | None = None
    authenticated: bool = True
    outcome: str = "ok"  # ok | denied | failed
    target: str | None = None  # what was acted on: a doc id, a user name, a job id …
    ip: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    at: datetime = Field(default_factory=now)
    id: int | None = None


class AuditFilter(BaseModel):
    """What the audit page and the CSV export filter on; every field optional."""

    since: datetime | None = None
    until: datetime | None = None
    username: str | None = None
    department: str | None = None
    event: str | None = None  # exact name, or a prefix ending in "." ("admin.")
    outcome: str | None = None


class AuditLog:
    def __init__(self, store):  # noqa: ANN001 - control_tower.store.Store (import cycle)
        self.store = store

    def write(self, event: AuditEvent) -> None:
        with self.store.begin() as s:
            s.add(_row(event))

    def record(
        self,
        principal: Principal,
        event: str,
        *,
        surface: str,
        target: str | None = None,
        outcome: str = "ok",
        ip: str | None = None,
        **details: Any,
    ) -> None:
        self.write(
            AuditEvent(
                event=event,
                surface=surface,
                username=principal.username,
                department=principal.department,
                authenticated=principal.authenticated,
                outcome=outcome,
                target=target,
                ip=ip,
                details=details,
            )
        )

    def search(self, principal: Principal, surface: str, query: str, **details: Any) -> None:
        ip = details.pop("client", None)
        self.record(
            principal, "search", surface=surface, target=query, ip=ip, query=query, **details
        )

    def query(
        self, flt: AuditFilter | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[AuditEvent]:
        """Matching events, newest first."""
        q = apply_filter(select(AuditEventRow), flt or AuditFilter())
        q = q.order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc()).limit(limit).offset(offset)
        with self.store.session() as s:
            return [_event(r) for r in s.scalars(q)]

    def count(self, flt: AuditFilter | None = None) -> int:
        q = apply_filter(select(func.count(AuditEventRow.id)), flt or AuditFilter())
        with self.store.session() as s:
            return int(s.scalar(q) or 0)

    def read(self) -> list[AuditEvent]:
        """Every event, oldest first (tests and small exports)."""
        q = select(AuditEventRow).order_by(AuditEventRow.at, AuditEventRow.id)
        with self.store.session() as s:
            return [_event(r) for r in s.scalars(q)]

    def import_jsonl(self, path: Path) -> int:
        """Import a legacy ``audit.jsonl`` (one JSON event per line); returns the count."""
        events = []
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    raw = json.loads(line)
                    raw.setdefault("target", (raw.get("details") or {}).get("query"))
                    events.append(AuditEvent.model_validate(raw))
        with self.store.begin() as s:
            s.add_all(_row(e) for e in events)
        return len(events)


def apply_filter(q, flt: AuditFilter):  # noqa: ANN001, ANN202
    """The filter's conditions on a select over ``audit_events`` (also used by the export)."""
    if flt.since is not None:
        q = q.where(AuditEventRow.at >= flt.since)
    if flt.until is not None:
        q = q.where(AuditEventRow.at < flt.until)
    if flt.username:
        q = q.where(AuditEventRow.username == flt.username)
    if flt.department:
        q = q.where(AuditEventRow.department == flt.department)
    if flt.event:
        if flt.event.endswith("."):
            q = q.where(AuditEventRow.event.startswith(flt.event, autoescape=True))
        else:
            q = q.where(AuditEventRow.event == flt.event)
    if flt.outcome:
        q = q.where(AuditEventRow.outcome == flt.outcome)
    return q


def _row(e: AuditEvent) -> AuditEventRow:
    return AuditEventRow(
        at=e.at,
        event=e.event,
        surface=e.surface,
        username=e.username,
        department=e.department,
        authenticated=e.authenticated,
        outcome=e.outcome,
        target=(e.target[:2000] if e.target else e.target),
        ip=e.ip,
        details=json.loads(json.dumps(e.details, ensure_ascii=False, default=str)),
    )


def _event(r: AuditEventRow) -> AuditEvent:
    return AuditEvent.model_validate(r, from_attributes=True)


__all__ = ["AuditEvent", "AuditFilter", "AuditLog", "LEGACY_AUDIT_FILE", "apply_filter"]
