"""Audit log: every search (and later chat turn and export) as one JSON line.

Stored as JSONL under ``<data_dir>/logs/audit.jsonl``: append-only, readable with any tool,
no schema migration, and safe to ship to the city's log collector. One line per event, written
under a process-wide lock with a single ``write`` call so concurrent requests never interleave.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from control_tower.domain import Principal, now
from control_tower.settings import Settings

AUDIT_FILE = "audit.jsonl"
_write_lock = threading.Lock()


class AuditEvent(BaseModel):
    event: str  # "search", …
    surface: str  # "api", "cli", "agent"
    username: str
    department: str | None = None
    authenticated: bool = True
    details: dict[str, Any] = Field(default_factory=dict)
    at: str = Field(default_factory=lambda: now().isoformat(timespec="milliseconds"))


class AuditLog:
    def __init__(self, settings: Settings):
        self.path: Path = settings.logs_dir / AUDIT_FILE

    def write(self, event: AuditEvent) -> None:
        line = json.dumps(event.model_dump(mode="json"), ensure_ascii=False) + "\n"
        with _write_lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)

    def search(self, principal: Principal, surface: str, query: str, **details: Any) -> None:
        self.write(
            AuditEvent(
                event="search",
                surface=surface,
                username=principal.username,
                department=principal.department,
                authenticated=principal.authenticated,
                details={"query": query, **details},
            )
        )

    def read(self) -> list[AuditEvent]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as f:
            return [AuditEvent.model_validate_json(line) for line in f if line.strip()]
