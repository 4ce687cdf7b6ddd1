"""Data access for the ``jobs`` table. Every state change is one conditional UPDATE, so a
cancel, the heartbeat and the worker's own writes never overwrite each other."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from control_tower.domain import now
from control_tower.jobs.types import (
    ACTIVE,
    CANCELLED,
    FAILED,
    INTERRUPTED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobItem,
    JobRecord,
)
from control_tower.store.models import JobRow

WORKER_KEY = "_worker"  # kept in ``result`` while running: "host:pid:token"


def _record(row: JobRow) -> JobRecord:
    rec = JobRecord.model_validate(row, from_attributes=True)
    rec.result = {k: v for k, v in (row.result or {}).items() if k != WORKER_KEY}
    return rec


class JobRepo:
    def __init__(self, store):  # noqa: ANN001 - control_tower.store.Store
        self.store = store

    def create(
        self,
        job_id: str,
        kind: str,
        params: dict,
        *,
        owner: str | None,
        department: str | None,
        title: str,
        items: list[JobItem],
    ) -> JobRecord:
        t = now()
        row = JobRow(
            job_id=job_id,
            kind=kind,
            state=QUEUED,
            owner=owner,
            department=department,
            title=title,
            progress_done=0,
            progress_total=len(items),
            message=None,
            params=params,
            items=[i.model_dump() for i in items],
            result={},
            created_at=t,
            updated_at=t,
        )
        with self.store.begin() as s:
            s.add(row)
            s.flush()
            return _record(row)

    def get(self, job_id: str) -> JobRecord | None:
        with self.store.session() as s:
            row = s.get(JobRow, job_id)
            return _record(row) if row else None

    def params(self, job_id: str) -> dict[str, Any] | None:
        with self.store.session() as s:
            row = s.get(JobRow, job_id)
            return dict(row.params or {}) if row else None

    def list(
        self, *, owner: str | None = None, states=None, kinds=None, limit: int = 100
    ) -> list[JobRecord]:
        q = select(JobRow).order_by(JobRow.created_at.desc(), JobRow.job_id.desc())
        if owner is not None:
            q = q.where(JobRow.owner == owner)
        if states:
            q = q.where(JobRow.state.in_(list(states)))
        if kinds:
            q = q.where(JobRow.kind.in_(list(kinds)))
        with self.store.session() as s:
            return [_record(r) for r in s.scalars(q.limit(limit))]

    def _update(self, job_id: str, when_states, **values) -> bool:
        values.setdefault("updated_at", now())
        q = update(JobRow).where(JobRow.job_id == job_id)
        if when_states is not None:
            q = q.where(JobRow.state.in_(list(when_states)))
        with self.store.begin() as s:
            return s.execute(q.values(**values)).rowcount > 0

    def claim(self, job_id: str, worker: str) -> bool:
        """queued → running, by exactly one worker (a duplicate message finds it taken)."""
        t = now()
        return self._update(
            job_id, [QUEUED], state=RUNNING, started_at=t, result={WORKER_KEY: worker}, message=None
        )

    def mark_started(self, job_id: str) -> bool:
        """The moment the handler really starts: a serial job claimed early waits at the gate,
        and its start is when it passes it (so start times follow the serial order)."""
        return self._update(job_id, [RUNNING], started_at=now())

    def requeue(self, job_id: str, message: str) -> bool:
        return self._update(job_id, [RUNNING], state=QUEUED, message=message)

    def progress(self, job_id: str, done: int, total: int, message: str | None) -> None:
        self._update(
            job_id, [RUNNING, CANCELLED], progress_done=done, progress_total=total, message=message
        )

    def set_items(self, job_id: str, items: list[JobItem]) -> None:
        self._update(job_id, None, items=[i.model_dump() for i in items])

    def message(self, job_id: str, message: str | None) -> None:
        self._update(job_id, [RUNNING, QUEUED], message=message)

    def succeed(self, job_id: str, result: dict) -> None:
        # interrupted too: a worker taken for dead that did finish has the last word
        if not self._update(
            job_id,
            [RUNNING, INTERRUPTED],
            state=SUCCEEDED,
            result=result,
            finished_at=now(),
            error_code=None,
            error_message=None,
        ):
            self._update(job_id, [CANCELLED], result=result, finished_at=now())

    def fail(
        self,
        job_id: str,
        code: str,
        message_ko: str,
        *,
        state: str = FAILED,
        when=(RUNNING, QUEUED, INTERRUPTED),
    ) -> bool:
        return self._update(
            job_id, when, state=state, error_code=code, error_message=message_ko, finished_at=now()
        )

    def cancel(self, job_id: str, message_ko: str) -> bool:
        return self._update(
            job_id, ACTIVE, state=CANCELLED, error_code="cancelled", error_message=message_ko
        )

    def finish_cancelled(self, job_id: str) -> None:
        self._update(job_id, [CANCELLED], finished_at=now())

    def heartbeat(self, job_ids) -> None:
        if job_ids:
            with self.store.begin() as s:
                s.execute(
                    update(JobRow)
                    .where(JobRow.job_id.in_(list(job_ids)))
                    .where(JobRow.state.in_([RUNNING, CANCELLED]))
                    .values(updated_at=now())
                )

    def running(self) -> list[tuple[str, str | None, datetime]]:
        """(job_id, worker, updated_at) of every running job."""
        with self.store.session() as s:
            rows = s.scalars(select(JobRow).where(JobRow.state == RUNNING))
            return [(r.job_id, (r.result or {}).get(WORKER_KEY), r.updated_at) for r in rows]

    def stale_before(self, seconds: float) -> datetime:
        return now() - timedelta(seconds=seconds)

    def interrupt(self, job_id: str, message_ko: str) -> bool:
        return self.fail(job_id, "interrupted", message_ko, state=INTERRUPTED, when=[RUNNING])

    def blocking(self, job: JobRecord, kinds) -> JobRecord | None:
        """The oldest active job of ``kinds`` created before ``job`` (the serial gate)."""
        q = (
            select(JobRow)
            .where(JobRow.kind.in_(list(kinds)))
            .where(JobRow.state.in_(list(ACTIVE)))
            .where(JobRow.job_id != job.job_id)
            .where(JobRow.created_at <= job.created_at)
            .order_by(JobRow.created_at, JobRow.job_id)
            .limit(5)
        )
        with self.store.session() as s:
            for r in s.scalars(q):
                if (r.created_at, r.job_id) < (job.created_at, job.job_id):
                    return _record(r)
        return None


__all__ = ["JobRepo", "SUCCEEDED"]
