"""``JobService``: submit, look up, list and cancel jobs; run them through Huey.

Restart safety: a job's row is the truth people see. A worker claims a row (queued →
running) and touches it every ``jobs_heartbeat_s``; a running row whose worker process is gone
(same host, dead pid) or silent for 6 heartbeats is marked ``interrupted`` with a Korean
reason, at start-up and by a monitor thread, so nothing is silently lost. Queued rows whose
Huey message is missing (the process died between the two writes) are enqueued again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time

from control_tower.domain import Principal
from control_tower.jobs.queue import make_consumer, make_huey, pending_job_ids
from control_tower.jobs.registry import JobContext, get_kind, recovery_hooks, serial_kinds
from control_tower.jobs.repo import JobRepo
from control_tower.jobs.types import (
    CANCELLED,
    CANCELLED_MESSAGE,
    LOST_WORKER_MESSAGE,
    QUEUED,
    RESTART_MESSAGE,
    JobError,
    JobItem,
    JobRecord,
)

log = logging.getLogger(__name__)
WAIT_MESSAGE = "앞선 작업이 끝나기를 기다리는 중입니다."
STALE_HEARTBEATS = 6


def _new_job_id() -> str:
    """Time-ordered (sorts like created_at), unguessable."""
    return f"{time.time_ns() // 1000:014x}{secrets.token_hex(8)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child not yet reaped is a zombie: gone all the same
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


class JobService:
    def __init__(self, resources, *, huey=None):  # noqa: ANN001 - serving.services.Services
        self.resources = resources
        self.settings = resources.settings
        self.repo = JobRepo(resources.store)
        self.huey = huey if huey is not None else make_huey(self.settings)
        self._task = self.huey.task(name="ct_job")(self._execute)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._running: set[str] = set()
        self._submit_lock = threading.Lock()
        self._stop = threading.Event()
        self._consumer = None
        self._monitor: threading.Thread | None = None

    # --- the API routers and later features use ------------------------------------------
    def submit(
        self,
        kind: str,
        params: dict,
        owner: Principal | None,
        *,
        title: str | None = None,
        department: str | None = None,
        items: list[JobItem] = (),
    ) -> JobRecord:
        k = get_kind(kind)
        if k is None:
            raise ValueError(f"unknown job kind {kind!r}")
        # one lock over insert + enqueue: rows and queue messages keep the same order
        with self._submit_lock:
            rec = self.repo.create(
                _new_job_id(),
                kind,
                params,
                owner=owner.username if owner else None,
                department=department if department is not None else (owner and owner.department),
                title=title or k.title_ko,
                items=list(items),
            )
            try:
                self._task(rec.job_id)
            except Exception as exc:  # noqa: BLE001 - e.g. Redis down
                log.exception("could not enqueue job %s", rec.job_id)
                msg = (
                    "작업 대기열에 넣지 못했습니다. 잠시 후 다시 시도하거나 관리자에게 문의하세요."
                )
                self.repo.fail(rec.job_id, "queue_unavailable", msg)
                raise JobError("queue_unavailable", msg) from exc
        return self.repo.get(rec.job_id) or rec

    def get(self, job_id: str) -> JobRecord | None:
        return self.repo.get(job_id)

    def visible(self, job_id: str, principal: Principal) -> JobRecord | None:
        """The job if ``principal`` may see it (its owner, or an admin); else None."""
        rec = self.repo.get(job_id)
        if rec is None or not principal.authenticated:
            return None
        return rec if (principal.is_admin or rec.owner == principal.username) else None

    def list(self, owner: str | None = None, *, kinds=None, limit: int = 100) -> list[JobRecord]:
        return self.repo.list(owner=owner, kinds=kinds, limit=limit)

    def cancel(self, job_id: str) -> JobRecord | None:
        """Queued: never runs. Running: the handler sees ``ctx.cancelled`` and stops."""
        self.repo.cancel(job_id, CANCELLED_MESSAGE)
        rec = self.repo.get(job_id)
        if rec is not None and rec.state == CANCELLED and rec.started_at is None:
            self.repo.finish_cancelled(job_id)
            rec = self.repo.get(job_id)
        return rec

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, *, consumer: bool = True) -> dict:
        """Recover, then run the consumer's worker threads and the heartbeat monitor."""
        report = self.recover()
        self._stop.clear()
        if consumer:
            self._consumer = make_consumer(self.huey, self.settings.jobs_workers, embedded=True)
            self._consumer.start()
        self._monitor = threading.Thread(
            target=self._monitor_loop, name="jobs-monitor", daemon=True
        )
        self._monitor.start()
        return report

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._consumer is not None:
            self._consumer.stop(graceful=False)
            deadline = time.monotonic() + timeout_s
            for _, t in self._consumer.worker_threads:
                t.join(max(0.0, deadline - time.monotonic()))
            self._consumer = None
        for job_id in list(self._running):  # they die with this process
            self.repo.interrupt(job_id, RESTART_MESSAGE)

    def run_worker(self) -> None:
        """``ct jobs worker``: a standalone consumer (signals handled by Huey)."""
        self.recover()
        self._monitor = threading.Thread(target=self._monitor_loop, daemon=True)
        self._monitor.start()
        try:
            make_consumer(self.huey, self.settings.jobs_workers, embedded=False).run()
        finally:
            self._stop.set()

    def recover(self) -> dict:
        interrupted = self.sweep()
        waiting = pending_job_ids(self.huey)
        queued = sorted(
            self.repo.list(states=[QUEUED], limit=100_000), key=lambda r: (r.created_at, r.job_id)
        )
        requeued = [r.job_id for r in queued if r.job_id not in waiting]
        for job_id in requeued:
            self._task(job_id)
        for hook in recovery_hooks():
            try:
                hook(self)
            except Exception:  # noqa: BLE001 - cleanup must not keep the app from starting
                log.exception("job recovery hook %s", getattr(hook, "__name__", hook))
        return {"interrupted": interrupted, "requeued": requeued}

    def sweep(self) -> list[str]:
        """Mark running jobs whose worker is gone as interrupted (with the Korean reason)."""
        host = socket.gethostname()
        stale = self.repo.stale_before(STALE_HEARTBEATS * self.settings.jobs_heartbeat_s)
        out = []
        for job_id, worker, updated_at in self.repo.running():
            if job_id in self._running or worker == self.worker_id:
                continue
            w_host, _, rest = (worker or "").partition(":")
            pid = rest.partition(":")[0]
            if w_host == host and pid.isdigit() and not _pid_alive(int(pid)):
                reason = RESTART_MESSAGE
            elif updated_at < stale:
                reason = LOST_WORKER_MESSAGE
            else:
                continue
            if self.repo.interrupt(job_id, reason):
                out.append(job_id)
        return out

    def _monitor_loop(self) -> None:
        while not self._stop.wait(self.settings.jobs_heartbeat_s):
            try:
                self.repo.heartbeat(set(self._running))
                self.sweep()
            except Exception:  # noqa: BLE001 - the monitor must outlive a database hiccup
                log.exception("jobs monitor")

    # --- the Huey task -------------------------------------------------------------------
    def _execute(self, job_id: str) -> None:
        if not self.repo.claim(job_id, self.worker_id):
            return  # cancelled, interrupted, or taken by another worker
        self._running.add(job_id)
        try:
            self._run_claimed(job_id)
        finally:
            self._running.discard(job_id)

    def _run_claimed(self, job_id: str) -> None:
        rec = self.repo.get(job_id)
        kind = get_kind(rec.kind) if rec else None
        if kind is None:
            self.repo.fail(job_id, "unknown_kind", "이 서버가 모르는 작업 종류입니다.")
            return
        if kind.serial:
            if not self._wait_turn(rec, serial_kinds(kind.serial)):
                return
            self.repo.mark_started(job_id)
        ctx = JobContext(job_id, self.repo, self.resources, rec.items)
        try:
            result = kind.handler(ctx, self.repo.params(job_id) or {}) or {}
        except JobError as err:
            self.repo.fail(job_id, err.code, err.message_ko)
            return
        except Exception as exc:  # noqa: BLE001 - a handler bug fails the job, not the worker
            log.exception("job %s (%s) failed", job_id, rec.kind)
            own = getattr(exc, "message_ko", None)  # e.g. IngestBusyError: already Korean
            self.repo.fail(
                job_id,
                str(getattr(exc, "code", "internal_error")) if own else "internal_error",
                own
                or f"작업 중 예기치 못한 오류가 발생했습니다({type(exc).__name__}). "
                "다시 실행하거나 관리자에게 문의하세요.",
            )
            return
        self.repo.succeed(job_id, dict(result))

    def _wait_turn(self, rec: JobRecord, kinds: list[str]) -> bool:
        """Serial group: run only when no older job of the group is queued or running."""
        while True:
            cur = self.repo.get(rec.job_id)
            if cur is None or cur.state == CANCELLED:
                self.repo.finish_cancelled(rec.job_id)
                return False
            blocker = self.repo.blocking(rec, kinds)
            if blocker is None:
                return True
            if blocker.state == QUEUED or self._stop.is_set():
                # its message is still behind ours: hand the worker back and retry shortly
                self.repo.requeue(rec.job_id, WAIT_MESSAGE)
                self._task.schedule(args=(rec.job_id,), delay=0.5)
                return False
            if cur.message != WAIT_MESSAGE:
                self.repo.message(rec.job_id, WAIT_MESSAGE)
            time.sleep(0.25)
