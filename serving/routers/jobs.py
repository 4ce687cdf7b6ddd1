"""Jobs API: state and progress of background jobs (uploads, re-ingest, later registry/roadmap).

Endpoints (all need a signed-in caller; a job of another user is 404 unless the caller is an
admin, so job ids cannot be probed):

- ``GET  /api/v1/jobs``                   the caller's jobs, newest first (admin: everyone's;
                                          ``?mine=true`` for an admin's own)
- ``GET  /api/v1/jobs/{job_id}``          one job (``JobRecord`` JSON)
- ``POST /api/v1/jobs/{job_id}/cancel``   queued: never runs; running: stops at the next check
- ``GET  /api/v1/jobs/{job_id}/events``   Server-Sent Events, see below

SSE event format (``text/event-stream``; the row is polled every 0.5 s)::

    event: progress
    data: {"job_id": "…", "kind": "ingest_upload", "state": "running",
           "progress_done": 1, "progress_total": 3, "message": "b.hwpx 처리 중",
           "items": [{"key": "0", "label": "a.hwpx", "status": "indexed",
                      "message": "색인됨", "data": {"doc_id": "…", "chunks": 4,
                      "reason": null, "location": "교통정책과/a.hwpx"}}, …],
           "result": {}, "error_code": null, "error_message": null,
           "created_at": "…+00:00", "started_at": …, "finished_at": null, "updated_at": …}

``progress`` is sent once on connect (the current row) and again whenever the row changes.
The stream ends with one final event carrying the same JSON: ``done`` (state ``succeeded``),
``failed`` (``failed`` or ``interrupted``; ``error_message`` is the Korean reason) or
``cancelled``. A page reload simply opens the stream again and gets the current row first.
Item ``status`` for uploads: queued, running, indexed, updated, unchanged, skipped, failed,
cancelled; ``message`` is the Korean reason.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Depends, Request
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from control_tower.domain import Principal
from control_tower.jobs import JobRecord
from serving.auth import current_principal
from serving.errors import ERROR_RESPONSES, ErrorResponse, api_error

RESPONSES = {**ERROR_RESPONSES, 409: {"model": ErrorResponse, "description": "이미 끝난 작업"}}
router = APIRouter(prefix="/api/v1", tags=["jobs"], responses=RESPONSES)
POLL_S = 0.5
FINAL_EVENT = {
    "succeeded": "done",
    "failed": "failed",
    "interrupted": "failed",
    "cancelled": "cancelled",
}
NOT_FOUND = "작업을 찾을 수 없거나 볼 권한이 없습니다."


def _jobs(request: Request):
    return request.app.state.services.jobs


def _visible(request: Request, job_id: str, principal: Principal) -> JobRecord:
    rec = _jobs(request).visible(job_id, principal)
    if rec is None:
        raise api_error(404, "not_found", NOT_FOUND)
    return rec


@router.get("/jobs", response_model=list[JobRecord])
def list_jobs(
    request: Request,
    mine: bool = False,
    kind: str | None = None,
    limit: int = 50,
    principal: Principal = Depends(current_principal),
) -> list[JobRecord]:
    owner = None if (principal.is_admin and not mine) else principal.username
    kinds = [kind] if kind else None
    return _jobs(request).list(owner, kinds=kinds, limit=max(1, min(limit, 500)))


@router.get("/jobs/{job_id}", response_model=JobRecord)
def get_job(job_id: str, request: Request, principal: Principal = Depends(current_principal)):
    return _visible(request, job_id, principal)


@router.post("/jobs/{job_id}/cancel", response_model=JobRecord)
def cancel_job(job_id: str, request: Request, principal: Principal = Depends(current_principal)):
    rec = _visible(request, job_id, principal)
    if rec.final:
        raise api_error(409, "job_finished", "이미 끝난 작업은 취소할 수 없습니다.")
    return _jobs(request).cancel(job_id)


@router.get(
    "/jobs/{job_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "진행 상황 (SSE)"}},
)
async def job_events(
    job_id: str, request: Request, principal: Principal = Depends(current_principal)
):
    jobs = _jobs(request)
    await run_in_threadpool(_visible, request, job_id, principal)  # 404 before streaming

    async def stream():
        last = None
        while True:
            rec = await run_in_threadpool(jobs.get, job_id)
            if rec is None:
                return
            body = rec.model_dump(mode="json")
            seen = json.dumps({k: v for k, v in body.items() if k != "updated_at"})
            if rec.final:
                yield {
                    "event": FINAL_EVENT.get(rec.state, "failed"),
                    "data": json.dumps(body, ensure_ascii=False),
                }
                return
            if seen != last:
                last = seen
                yield {"event": "progress", "data": json.dumps(body, ensure_ascii=False)}
            if await request.is_disconnected():
                return
            await asyncio.sleep(POLL_S)

    return EventSourceResponse(stream(), ping=15)
