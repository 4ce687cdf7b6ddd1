"""The job rows behave the same on SQLite and PostgreSQL: run, serial order, cancel, and the
sweep that marks a dead worker's job interrupted (skips PostgreSQL when no server answers)."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest

import tests.jobs_kinds  # noqa: F401 - test job kinds
from control_tower.domain import Principal
from control_tower.jobs import RESTART_MESSAGE, JobService
from control_tower.store import Store
from tests.store_backends import fresh_postgres_url

KIM = Principal(username="kim", department="교통정책과")


@pytest.fixture(params=["sqlite", "postgresql"])
def jobs(request, settings, tmp_path):
    if request.param == "sqlite":
        store = Store(settings.database_url)
    else:
        gen = fresh_postgres_url()
        store = Store(next(gen))
        request.addfinalizer(lambda: next(gen, None))
    from huey import SqliteHuey

    resources = type("R", (), {"settings": settings, "store": store})()
    service = JobService(resources, huey=SqliteHuey("t", filename=str(tmp_path / "q.db")))
    service.start()
    yield service
    service.stop()
    store.close()


def _final(jobs, job_id, t=30.0):
    deadline = time.monotonic() + t
    while time.monotonic() < deadline:
        if (rec := jobs.get(job_id)).final:
            return rec
        time.sleep(0.02)
    raise AssertionError(rec)


def test_jobs_run_in_order_fail_and_cancel(jobs, tmp_path):
    log = tmp_path / "order.log"
    ids = [jobs.submit("test_ordered", {"log": str(log), "n": i}, KIM).job_id for i in range(4)]
    assert [_final(jobs, i).state for i in ids] == ["succeeded"] * 4
    assert log.read_text().split() == ["0", "1", "2", "3"]
    assert _final(jobs, jobs.submit("test_boom", {}, KIM).job_id).error_code == "internal_error"
    running = jobs.submit("test_steps", {"gate": str(tmp_path), "steps": 1}, KIM)
    while jobs.get(running.job_id).state != "running":
        time.sleep(0.02)
    jobs.cancel(running.job_id)
    assert _final(jobs, running.job_id).state == "cancelled"
    assert [j.owner for j in jobs.list("kim")] == ["kim"] * 6 and jobs.list("park") == []


def test_sweep_interrupts_the_job_of_a_dead_process(jobs):
    dead = subprocess.Popen(["true"])
    dead.wait()
    rec = jobs.repo.create(
        "dead1", "test_steps", {}, owner="kim", department=None, title="t", items=[]
    )
    assert jobs.repo.claim(rec.job_id, f"{socket.gethostname()}:{dead.pid}:abcd")
    assert jobs.sweep() == ["dead1"]
    got = jobs.get("dead1")
    assert got.state == "interrupted" and got.error_message == RESTART_MESSAGE
