"""One ingest run at a time per data dir: an exclusive ``flock`` on ``<data_dir>/ingest.lock``.

The kernel releases the lock when the holder dies (even by SIGKILL), so a crashed run never
leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


class IngestBusyError(RuntimeError):
    def __init__(self, waited_s: float):
        self.message_ko = (
            f"다른 문서 수집 작업이 진행 중입니다({waited_s:.0f}초 대기 후 중단). "
            "잠시 후 다시 시도하세요."
        )
        super().__init__(self.message_ko)


@contextmanager
def ingest_lock(
    data_dir: Path,
    *,
    timeout_s: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the ingest lock; wait for it (``timeout_s=None``: as long as it takes)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(data_dir / "ingest.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        start = time.monotonic()
        notified = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not notified and on_wait is not None:
                    on_wait()
                notified = True
                if timeout_s is not None and time.monotonic() - start >= timeout_s:
                    raise IngestBusyError(time.monotonic() - start) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
