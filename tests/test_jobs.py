"""The job system end to end: real Huey (SQLite storage; Redis when reachable), the real app,
SSE over a real uvicorn server, a real SIGKILLed process for the restart case."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import tests.jobs_kinds  # noqa: F401 - registers the test job kinds
from control_tower.domain import Principal
from control_tower.jobs import RESTART_MESSAGE, JobService
from tests.auth_helpers import api_key, make_user

REPO = Path(__file__).resolve().parents[1]


def _app(settings, store, **overrides):
    from serving.app import create_app

    app = create_app(settings.model_copy(update={"jobs_heartbeat_s": 0.5, **overrides}))
    app.state.services.__dict__["store"] = store
    return app


def _users(store) -> dict[str, dict]:
    make_user(store, "kim", "교통정책과")
    make_user(store, "park", "복지정책과")
    make_user(store, "admin", "정보통신과", ["admin"])
    return {u: api_key(store, u) for u in ("kim", "park", "admin")}


KIM = Principal(username="kim", department="교통정책과")


@pytest.fixture
def jobs_client(settings, store):
    app = _app(settings, store)
    keys = _users(store)
    with TestClient(app) as c:
        c.keys, c.jobs = keys, app.state.services.jobs
        yield c


def _wait(jobs: JobService, job_id: str, states=("succeeded", "failed", "cancelled"), t=30.0):
    deadline = time.monotonic() + t
    while time.monotonic() < deadline:
        rec = jobs.get(job_id)
        if rec.state in states:
            return rec
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} stuck in {rec.state}")


def _events(lines):
    """Parse an SSE line iterator into (event, data) pairs."""
    event, data = None, []
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            if event or data:
                yield event or "message", json.loads("\n".join(data)) if data else None
            event, data = None, []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def test_progress_over_sse_and_reattach_after_reload(settings, store, tmp_path):
    from tests.uvicorn_thread import serving

    app = _app(settings, store)
    keys = _users(store)
    gate = tmp_path / "gate"
    gate.mkdir()
    with serving(app) as base_url:
        job = app.state.services.jobs.submit("test_steps", {"gate": str(gate), "steps": 3}, KIM)
        url = f"{base_url}/api/v1/jobs/{job.job_id}/events"
        with httpx.stream("GET", url, headers=keys["kim"], timeout=30) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            events = _events(r.iter_lines())
            seen = []
            for name, data in events:
                seen.append((name, data["progress_done"]))
                if data["state"] == "running" and data["items"]:
                    (gate / "0").touch()
                if data["progress_done"] == 1:
                    break
            assert all(name == "progress" for name, _ in seen)
            assert data["items"][0] == {
                "key": "0",
                "label": "단계 0",
                "status": "done",
                "message": "끝",
                "data": {},
            }
        # a page reload: the new stream starts with the row as it is now
        with httpx.stream("GET", url, headers=keys["kim"], timeout=30) as r:
            events = _events(r.iter_lines())
            name, data = next(events)
            assert name == "progress" and data["progress_done"] == 1 and data["state"] == "running"
            (gate / "1").touch()
            (gate / "2").touch()
            last = None
            for name, data in events:
                last = (name, data)
            assert last[0] == "done" and last[1]["state"] == "succeeded"
            assert last[1]["result"] == {"steps": 3} and last[1]["progress_done"] == 3
        # another user's job is 404, events included
        r = httpx.get(url, headers=keys["park"], timeout=10)
        assert r.status_code == 404


def test_another_users_job_is_404_and_admin_sees_all(jobs_client, tmp_path):
    c, keys = jobs_client, jobs_client.keys
    job = c.jobs.submit("test_steps", {"gate": str(tmp_path), "steps": 0}, KIM)
    _wait(c.jobs, job.job_id)
    path = f"/api/v1/jobs/{job.job_id}"
    assert c.get(path, headers=keys["kim"]).json()["state"] == "succeeded"
    for method, p in (("GET", path), ("GET", path + "/events"), ("POST", path + "/cancel")):
        r = c.request(method, p, headers=keys["park"])
        assert r.status_code == 404, (method, p, r.text)
        assert r.json()["detail"]["message"] == "작업을 찾을 수 없거나 볼 권한이 없습니다."
    assert c.get(path).status_code == 401  # nobody
    assert c.get(path, headers=keys["admin"]).status_code == 200
    assert [j["job_id"] for j in c.get("/api/v1/jobs", headers=keys["kim"]).json()] == [job.job_id]
    assert c.get("/api/v1/jobs", headers=keys["park"]).json() == []
    assert len(c.get("/api/v1/jobs", headers=keys["admin"]).json()) == 1
    assert c.get("/api/v1/jobs?mine=true", headers=keys["admin"]).json() == []
    r = c.post(path + "/cancel", headers=keys["kim"])
    assert r.status_code == 409 and "이미 끝난" in r.json()["detail"]["message"]


def test_failing_handler_fails_the_job_in_korean_and_the_worker_lives_on(jobs_client, tmp_path):
    jobs = jobs_client.jobs
    bug = _wait(jobs, jobs.submit("test_boom", {}, KIM).job_id)
    assert bug.state == "failed" and bug.error_code == "internal_error"
    assert "예기치 못한 오류" in bug.error_message and "RuntimeError" in bug.error_message
    assert bug.finished_at is not None
    err = _wait(jobs, jobs.submit("test_boom", {"job_error": True}, KIM).job_id)
    assert (err.state, err.error_code, err.error_message) == (
        "failed",
        "bad_input",
        "입력 값이 올바르지 않습니다.",
    )
    ok = _wait(jobs, jobs.submit("test_steps", {"gate": str(tmp_path), "steps": 0}, KIM).job_id)
    assert ok.state == "succeeded"


def test_cancel_running_and_queued_jobs(jobs_client, settings, store, tmp_path):
    c, kim = jobs_client, jobs_client.keys["kim"]
    running = c.jobs.submit("test_steps", {"gate": str(tmp_path), "steps": 2}, KIM)
    _wait(c.jobs, running.job_id, states=("running",))
    r = c.post(f"/api/v1/jobs/{running.job_id}/cancel", headers=kim)
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    done = _wait(c.jobs, running.job_id, states=("cancelled",))
    deadline = time.monotonic() + 10
    while c.jobs.get(running.job_id).finished_at is None and time.monotonic() < deadline:
        time.sleep(0.05)
    done = c.jobs.get(running.job_id)
    assert done.finished_at is not None and done.error_message == "사용자가 작업을 취소했습니다."
    assert done.items[0].status == "cancelled"  # the handler saw ctx.cancelled and stopped

    # queued: a service whose consumer is not running yet
    from huey import SqliteHuey

    huey = SqliteHuey("t", filename=str(tmp_path / "q.db"))
    idle = JobService(c.app.state.services, huey=huey)
    log = tmp_path / "ran.log"
    queued = idle.submit("test_ordered", {"log": str(log), "n": 1}, KIM)
    assert idle.get(queued.job_id).state == "queued"
    assert idle.cancel(queued.job_id).state == "cancelled"
    idle.start()
    try:
        time.sleep(1.0)
        assert not log.exists()  # a cancelled job never runs
        assert idle.get(queued.job_id).finished_at is not None
    finally:
        idle.stop()


def test_serial_group_runs_in_submission_order(jobs_client, tmp_path):
    jobs, log = jobs_client.jobs, tmp_path / "order.log"
    ids = [
        jobs.submit("test_ordered", {"log": str(log), "n": i, "sleep": 0.1}, KIM).job_id
        for i in range(6)
    ]
    for job_id in ids:
        assert _wait(jobs, job_id).state == "succeeded"
    assert log.read_text().split() == [str(i) for i in range(6)]


_WORKER = """
import sys, time
import tests.jobs_kinds
from control_tower.domain import Principal
from control_tower.settings import Settings
from serving.services import Services
services = Services(Settings(_env_file=None, jobs_workers=1, jobs_heartbeat_s=0.5))
jobs = services.jobs
jobs.start()
kim = Principal(username="kim", department="교통정책과")
a = jobs.submit("test_steps", {"gate": sys.argv[1], "steps": 1}, kim)
b = jobs.submit("test_steps", {"gate": sys.argv[1], "steps": 0}, kim)
print(a.job_id, b.job_id, flush=True)
time.sleep(600)
"""


def test_restart_marks_running_job_interrupted_and_runs_queued_ones(settings, store, tmp_path):
    env = dict(os.environ, CT_DATA_DIR=str(settings.data_dir), PYTHONPATH=str(REPO))
    env.pop("CT_DATABASE_URL", None)
    env.pop("CT_JOBS_REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", _WORKER, str(tmp_path)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        running_id, queued_id = proc.stdout.readline().split()
        jobs = JobService(type("R", (), {"settings": settings, "store": store})(), huey=None)
        _wait(jobs, running_id, states=("running",))
        time.sleep(0.3)
        assert jobs.get(queued_id).state == "queued"  # one worker: the second one waits
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert jobs.get(running_id).state == "running"  # what the dead process left behind

    keys = _users(store)
    with TestClient(_app(settings, store)) as c:  # the server starts again
        r = c.get(f"/api/v1/jobs/{running_id}", headers=keys["kim"]).json()
        assert r["state"] == "interrupted" and r["error_message"] == RESTART_MESSAGE
        assert r["finished_at"] is not None
        # the queued job was still in Huey's SQLite queue: it runs now
        assert _wait(c.app.state.services.jobs, queued_id).state == "succeeded"


def test_redis_storage_runs_jobs_too(settings, store, tmp_path):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/14").ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({exc})")
    from huey import RedisHuey

    huey = RedisHuey(f"ct-test-{os.getpid()}-{time.time_ns()}", url="redis://127.0.0.1:6379/14")
    services = type(
        "R", (), {"settings": settings.model_copy(update={"jobs_heartbeat_s": 0.5}), "store": store}
    )()
    jobs = JobService(services, huey=huey)
    jobs.start()
    try:
        log = tmp_path / "r.log"
        ids = [jobs.submit("test_ordered", {"log": str(log), "n": i}, KIM).job_id for i in range(3)]
        assert [_wait(jobs, i).state for i in ids] == ["succeeded"] * 3
        assert log.read_text().split() == ["0", "1", "2"]
    finally:
        jobs.stop()
        huey.storage.flush_all()


def test_recovery_removes_staged_uploads_no_job_will_read(settings, store):
    from control_tower.jobs.ingest import staging_dir, sweep_staging

    resources = type("R", (), {"settings": settings, "store": store})()
    jobs = JobService(resources)
    folder = staging_dir(settings)
    folder.mkdir(parents=True)
    kept, orphan, partial, fresh = (
        folder / n for n in ("a.upload", "b.upload", "c.partial", "d.upload")
    )
    for p in (kept, orphan, partial, fresh):
        p.write_bytes(b"x")
        if p is not fresh:
            os.utime(p, (time.time() - 7200, time.time() - 7200))
    files = [{"key": "0", "name": "a.txt", "disk": "a.txt", "staged": str(kept), "size": 1}]
    jobs.repo.create(
        "j1", "ingest_upload", {"files": files}, owner="kim", department=None, title="t", items=[]
    )  # queued: its file must stay
    assert sorted(sweep_staging(jobs)) == ["b.upload", "c.partial"]
    assert kept.exists() and fresh.exists() and not orphan.exists() and not partial.exists()
