"""The one job interface later features plug into.

A job kind is a plain function ``handler(ctx: JobContext, params: dict) -> dict`` registered
once at import time::

    from control_tower.jobs import JobContext, register_job

    def build_registry(ctx: JobContext, params: dict) -> dict:
        for i, name in enumerate(names):
            if ctx.cancelled:
                break
            ctx.item(name, status="running")
            ...
            ctx.item(name, status="done", message="완료")
            ctx.progress(i + 1, len(names), f"{name} 처리 중")
        return {"entries": len(names)}

    register_job("build_registry", build_registry, title_ko="업무 레지스트리 만들기")

and listed in ``control_tower/jobs/kinds.py`` so every worker process imports it. The handler
runs in a worker thread (embedded in the web app, or ``ct jobs worker``); what it returns is
the job's ``result``; raising ``JobError(code, message_ko)`` fails the job with that Korean
message, any other exception fails it with a generic Korean message (never a crash).
``serial="ingest"`` makes jobs of all kinds in that group run one at a time, in submission
order (uploads must reach the index in the order they arrived).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from control_tower.jobs.types import CANCELLED, JobItem

Handler = Callable[["JobContext", dict], dict | None]


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    title_ko: str
    serial: str | None = None


_KINDS: dict[str, JobKind] = {}  # code-level registry (like routes): filled at import only


def register_job(
    kind: str, handler: Handler, *, title_ko: str, serial: str | None = None
) -> JobKind:
    if kind in _KINDS and _KINDS[kind].handler is not handler:
        raise ValueError(f"job kind {kind!r} is already registered")
    _KINDS[kind] = JobKind(kind, handler, title_ko, serial)
    return _KINDS[kind]


_RECOVERY: list[Callable] = []  # fn(service) run by JobService.recover(), e.g. file cleanup


def register_recovery(fn: Callable) -> Callable:
    """Run ``fn(job_service)`` after each start-up recovery (clean up what dead jobs left)."""
    if fn not in _RECOVERY:
        _RECOVERY.append(fn)
    return fn


def recovery_hooks() -> list[Callable]:
    from control_tower.jobs import kinds  # noqa: F401

    return list(_RECOVERY)


def get_kind(kind: str) -> JobKind | None:
    from control_tower.jobs import kinds  # noqa: F401 - registers the built-in kinds

    return _KINDS.get(kind)


def serial_kinds(group: str) -> list[str]:
    return [k.kind for k in _KINDS.values() if k.serial == group]


class JobContext:
    """What a handler sees: its job id, the app's resources, and ways to report progress."""

    def __init__(self, job_id: str, repo, resources, items: list[JobItem]):  # noqa: ANN001
        self.job_id = job_id
        self.resources = resources  # serving.services.Services (settings, store, index …)
        self._repo = repo
        self._items = {i.key: i for i in items}
        self._lock = threading.Lock()
        self._checked = 0.0
        self._cancelled = False

    @property
    def settings(self):
        return self.resources.settings

    @property
    def store(self):
        return self.resources.store

    def progress(self, done: int, total: int, message_ko: str | None = None) -> None:
        self._repo.progress(self.job_id, done, total, message_ko)

    def message(self, message_ko: str | None) -> None:
        self._repo.message(self.job_id, message_ko)

    def item(
        self,
        key: str,
        *,
        status: str,
        message: str | None = None,
        label: str | None = None,
        **data: Any,
    ) -> None:
        """Create or update one item's status (kept in order of first appearance)."""
        with self._lock:
            cur = self._items.get(key) or JobItem(key=key, label=label)
            cur = cur.model_copy(
                update={
                    "status": status,
                    "message": message,
                    "label": label or cur.label,
                    "data": {**cur.data, **data},
                }
            )
            self._items[key] = cur
            items = list(self._items.values())
        self._repo.set_items(self.job_id, items)

    @property
    def items(self) -> list[JobItem]:
        return list(self._items.values())

    @property
    def cancelled(self) -> bool:
        """True once someone cancelled the job (checked against the row at most every 0.5 s)."""
        if not self._cancelled and time.monotonic() - self._checked >= 0.5:
            self._checked = time.monotonic()
            rec = self._repo.get(self.job_id)
            self._cancelled = rec is None or rec.state == CANCELLED
        return self._cancelled
