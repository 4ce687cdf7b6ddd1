"""Job kinds for the job-system tests (registered on import, in the test process and in the
subprocess of the restart test)."""

from __future__ import annotations

import time
from pathlib import Path

from control_tower.jobs import JobContext, JobError, register_job


def steps(ctx: JobContext, params: dict) -> dict:
    """``params["steps"]`` steps; step i waits until ``<gate>/<i>`` exists (tests release it)."""
    gate, n = Path(params["gate"]), int(params["steps"])
    ctx.progress(0, n, "시작")
    for i in range(n):
        ctx.item(str(i), status="running", label=f"단계 {i}")
        while not (gate / str(i)).exists():
            if ctx.cancelled:
                ctx.item(str(i), status="cancelled", message="취소됨")
                return {"stopped_at": i}
            time.sleep(0.02)
        ctx.item(str(i), status="done", message="끝")
        ctx.progress(i + 1, n, f"단계 {i} 완료")
    return {"steps": n}


def boom(ctx: JobContext, params: dict) -> dict:
    if params.get("job_error"):
        raise JobError("bad_input", "입력 값이 올바르지 않습니다.")
    raise RuntimeError("handler bug")


def ordered(ctx: JobContext, params: dict) -> dict:
    time.sleep(float(params.get("sleep", 0.05)))
    with open(params["log"], "a") as f:
        f.write(f"{params['n']}\n")
    return {}


register_job("test_steps", steps, title_ko="테스트 단계 작업")
register_job("test_boom", boom, title_ko="테스트 실패 작업")
register_job("test_ordered", ordered, title_ko="테스트 순서 작업", serial="test")
