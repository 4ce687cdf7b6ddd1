"""Huey, the task queue under the job system (chosen from measurements: docs/JOBS.md).

SqliteStorage under ``<data_dir>/jobs/huey.db`` by default (no extra server, the queue
survives a restart); RedisStorage when ``CT_JOBS_REDIS_URL`` is set, so workers on other
machines (``ct jobs worker``) share it. The message carries only the job id; everything else
lives in the ``jobs`` table.
"""

from __future__ import annotations

from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

from control_tower.settings import Settings

QUEUE_NAME = "control-tower"
# Idle polling of SQLite: start at 50 ms, back off to 0.5 s (bench: 50 ms end-to-end).
POLL = {"initial_delay": 0.05, "backoff": 1.15, "max_delay": 0.5}


def backend_of(settings: Settings) -> str:
    return "redis" if settings.jobs_redis_url else settings.jobs_backend


def make_huey(settings: Settings, *, name: str = QUEUE_NAME):
    if backend_of(settings) == "redis":
        url = settings.jobs_redis_url or "redis://127.0.0.1:6379/0"
        return RedisHuey(name, url=url, results=False)
    folder = settings.data_dir / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    # strict_fifo: rowids are never reused, so messages leave in the order they came
    return SqliteHuey(name, filename=str(folder / "huey.db"), strict_fifo=True, results=False)


class EmbeddedConsumer(Consumer):
    """A Huey consumer with thread workers that leaves the process's signals alone.

    ``Consumer.start()`` installs SIGINT/SIGTERM/SIGHUP handlers, which would take Ctrl-C away
    from uvicorn (and fails outside the main thread, e.g. under TestClient); the web app's
    lifespan stops it instead.
    """

    def _set_signal_handlers(self) -> None:
        pass


def make_consumer(huey, workers: int, *, embedded: bool) -> Consumer:
    cls = EmbeddedConsumer if embedded else Consumer
    return cls(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=False,
        check_worker_health=not embedded,
        **POLL,
    )


def pending_job_ids(huey) -> set[str]:
    """Job ids whose message is still waiting in the queue or the schedule."""
    ids: set[str] = set()
    for task in list(huey.pending()) + list(huey.scheduled()):
        if task.args:
            ids.add(str(task.args[0]))
    return ids
