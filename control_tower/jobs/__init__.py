"""Background jobs with progress: one interface (``register_job`` + ``JobContext``) over Huey.

See ``registry`` for how a feature adds a job kind, ``service`` for submit/get/list/cancel and
restart safety, ``docs/JOBS.md`` for the design and the measurements behind Huey.
"""

from control_tower.jobs.registry import JobContext, JobKind, get_kind, register_job
from control_tower.jobs.service import JobService
from control_tower.jobs.types import (
    FINAL,
    RESTART_MESSAGE,
    JobError,
    JobItem,
    JobRecord,
)

__all__ = [
    "FINAL",
    "RESTART_MESSAGE",
    "JobContext",
    "JobError",
    "JobItem",
    "JobKind",
    "JobRecord",
    "JobService",
    "get_kind",
    "register_job",
]
