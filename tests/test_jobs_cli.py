"""`ct jobs worker` runs queued jobs from another process; `ct jobs list` shows them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from control_tower.domain import Principal
from control_tower.jobs import JobService

CT = str(Path(sys.executable).parent / "ct")


def test_standalone_worker_and_list(settings, store):
    resources = type("R", (), {"settings": settings, "store": store})()
    jobs = JobService(resources)  # no consumer here: the job stays queued
    kim = Principal(username="kim", department="교통정책과")
    job = jobs.submit("reingest", {"doc_id": "없는문서"}, kim)
    assert jobs.get(job.job_id).state == "queued"
    env = dict(os.environ, CT_DATA_DIR=str(settings.data_dir))
    for var in ("CT_DATABASE_URL", "CT_JOBS_REDIS_URL"):
        env.pop(var, None)
    proc = subprocess.Popen([CT, "jobs", "worker"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while jobs.get(job.job_id).state == "queued" and time.monotonic() < deadline:
            time.sleep(0.1)
        while not jobs.get(job.job_id).final and time.monotonic() < deadline:
            time.sleep(0.1)
        rec = jobs.get(job.job_id)
        assert rec.state == "failed" and rec.error_code == "not_found", rec
        assert "문서를 찾을 수 없습니다" in rec.error_message
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    out = subprocess.run([CT, "jobs", "list", "--json"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    assert [j["job_id"] for j in listed] == [job.job_id] and listed[0]["state"] == "failed"
