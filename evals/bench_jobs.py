"""Task-queue candidates for the job system, measured the same way on this machine.

Backends: Huey with SqliteStorage (file under a temp dir, no server), Huey with RedisStorage
(127.0.0.1:6379) and procrastinate (PostgreSQL 127.0.0.1:5432, a throw-away database).

For each: a worker runs in its own process (one thread for the latency runs, as embedded in
the web app; ``--workers`` for throughput); the parent enqueues. Every task appends
``<tag> <time.time()>`` to a results file (O_APPEND, one write), which the parent polls, so the
three backends are timed by the same clock and the same completion signal.

- enqueue: wall time of one enqueue call in the parent (p50/p95 over ``--n`` calls);
- end-to-end: enqueue → task finished, one task at a time with a 0.2 s idle gap between tasks
  (so polling backends show their idle polling delay);
- throughput: ``--n`` no-op tasks enqueued at once, until the last one finished;
- SIGKILL: a 3 s task starts, the worker is SIGKILLed, a fresh worker is started, and after
  6 s we look whether the task ran again (retried), never again (lost) or is still marked as
  running in the backend (left running).

Run:  .venv/bin/python -m evals.bench_jobs [--backends huey-sqlite huey-redis procrastinate]
      (about 1 minute; the worker side is ``python -m evals.bench_jobs --worker BACKEND DIR``)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REDIS_URL = "redis://127.0.0.1:6379/15"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "ct_bench_jobs"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
HUEY_OPTS = {"initial_delay": 0.05, "max_delay": 0.5, "backoff": 1.15}  # what the app uses


def _append(results: str, tag: str) -> None:
    fd = os.open(results, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{tag} {time.time():.6f} {os.getpid()}\n".encode())
    finally:
        os.close(fd)


def _slow(results: str, tag: str, seconds: float) -> None:
    _append(results, f"{tag}-start")
    time.sleep(seconds)
    _append(results, f"{tag}-end")


# --- backends --------------------------------------------------------------------------------
def _huey(backend: str, folder: Path):
    if backend == "huey-sqlite":
        from huey import SqliteHuey

        h = SqliteHuey("bench", filename=str(folder / "huey.db"), strict_fifo=True, results=False)
    else:
        from huey import RedisHuey

        h = RedisHuey("bench", url=REDIS_URL, results=False)
    noop = h.task(name="noop")(_append)
    slow = h.task(name="slow")(_slow)
    return h, {"noop": noop, "slow": slow}


def _procrastinate():
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=PG_URL))
    noop = app.task(name="noop", queue="bench")(_append)
    slow = app.task(name="slow", queue="bench")(_slow)
    return app, {"noop": noop, "slow": slow}


class Backend:
    """Enqueue side of one backend in the parent process."""

    def __init__(self, name: str, folder: Path):
        self.name, self.folder = name, folder
        if name.startswith("huey"):
            self.huey, self.tasks = _huey(name, folder)
            if name == "huey-redis":
                self.huey.storage.flush_all()
        else:
            self.app, self.tasks = _procrastinate()
            self.app.open()

    def enqueue(self, task: str, *args) -> None:
        if self.name.startswith("huey"):
            self.tasks[task](*args)
        else:
            keys = ("results", "tag", "seconds")
            self.tasks[task].defer(**dict(zip(keys, args, strict=False)))

    def running_in_backend(self) -> str:
        """What the backend itself says about unfinished work after the kill."""
        if self.name.startswith("huey"):
            return f"queued={self.huey.pending_count()}"
        rows = self.app.job_manager.list_jobs(queue="bench", task="slow")
        return "states=" + ",".join(
            sorted(
                str(j["status"] if isinstance(j, dict) else getattr(j.status, "value", j.status))
                for j in rows
            )
        )

    def close(self) -> None:
        if not self.name.startswith("huey"):
            self.app.close()


def _worker_main(backend: str, folder: str, workers: int) -> None:
    if backend.startswith("huey"):
        h, _ = _huey(backend, Path(folder))
        h.create_consumer(workers=workers, worker_type="thread", **HUEY_OPTS).run()
    else:
        app, _ = _procrastinate()
        app.run_worker(queues=["bench"], concurrency=workers, install_signal_handlers=True)


def _start_worker(backend: str, folder: Path, workers: int = 1) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "evals.bench_jobs", "--worker", backend, str(folder), str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "worker.log", "ab"),  # noqa: SIM115 - child keeps it
    )


def _lines(results: Path) -> list[list[str]]:
    if not results.exists():
        return []
    return [ln.split() for ln in results.read_text().splitlines() if ln.strip()]


def _wait_for(results: Path, tag: str, timeout: float = 60.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for parts in _lines(results):
            if parts[0] == tag:
                return float(parts[1])
        time.sleep(0.002)
    raise TimeoutError(tag)


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def measure(name: str, n: int, workers: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    results = folder / "results.txt"
    be = Backend(name, folder)
    out: dict = {"backend": name}
    try:
        proc = _start_worker(name, folder)
        be.enqueue("noop", str(results), "warm")
        _wait_for(results, "warm")
        e2e, enq = [], []
        for i in range(30):
            time.sleep(0.2)
            t0 = time.time()
            be.enqueue("noop", str(results), f"lat{i}")
            enq.append(time.time() - t0)
            e2e.append(_wait_for(results, f"lat{i}") - t0)
        for i in range(n):  # enqueue-only timing, worker busy draining
            t0 = time.perf_counter()
            be.enqueue("noop", str(results), f"enq{i}")
            enq.append(time.perf_counter() - t0)
        _wait_for(results, f"enq{n - 1}")
        proc.send_signal(signal.SIGINT)
        proc.wait(30)

        proc = _start_worker(name, folder, workers)
        be.enqueue("noop", str(results), "warm2")
        _wait_for(results, "warm2")
        t0 = time.perf_counter()
        for i in range(n):
            be.enqueue("noop", str(results), f"tp{i}")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = sum(1 for p in _lines(results) if p[0].startswith("tp"))
            if done >= n:
                break
            time.sleep(0.01)
        tp_s = time.perf_counter() - t0

        be.enqueue("slow", str(results), "kill", 3.0)
        _wait_for(results, "kill-start")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        after_kill = be.running_in_backend()
        proc = _start_worker(name, folder)
        time.sleep(6.0)
        tags = [p[0] for p in _lines(results)]
        starts, ends = tags.count("kill-start"), tags.count("kill-end")
        fate = "retried" if starts > 1 else ("finished?" if ends else "lost")
        state_now = be.running_in_backend()
        if fate == "lost" and "doing" in state_now:
            fate = "left running (status doing)"
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
        out.update(
            enqueue_ms_p50=round(1000 * statistics.median(enq), 3),
            enqueue_ms_p95=round(1000 * _pct(enq, 0.95), 3),
            e2e_ms_p50=round(1000 * statistics.median(e2e), 1),
            e2e_ms_p95=round(1000 * _pct(e2e, 0.95), 1),
            throughput_per_s=round(n / tp_s, 1),
            throughput_workers=workers,
            sigkill=fate,
            after_kill=after_kill,
            after_restart=state_now,
        )
    finally:
        be.close()
    return out


def _pg_reset() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        c.execute(f"CREATE DATABASE {PG_DB}")
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=PG_URL))
    with app.open():
        app.schema_manager.apply_schema()


def _pg_drop() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", nargs="+", default=["huey-sqlite", "huey-redis", "procrastinate"])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2, help="worker threads for throughput")
    ap.add_argument(
        "--worker", nargs=3, metavar=("BACKEND", "DIR", "WORKERS"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.worker:
        _worker_main(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    rows = []
    for name in args.backends:
        if name == "procrastinate":
            _pg_reset()
        try:
            rows.append(measure(name, args.n, args.workers))
        finally:
            if name == "procrastinate":
                _pg_drop()
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
