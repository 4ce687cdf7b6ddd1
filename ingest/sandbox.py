"""Parse untrusted files in worker processes with a time limit and a memory cap.

Parsers are C/Rust/Python libraries fed with whatever sits on a city's file share: a hostile
or broken file can hang them, blow up memory or segfault. Each file is parsed in a worker
process (``forkserver`` start method: a warm server with the parsers preloaded forks workers
in milliseconds and never inherits the parent's threads) whose address space is capped with
``RLIMIT_AS``. The parent waits at most ``timeout_s`` per file.

Outcomes, all as ``IngestError`` (the parent never dies):
- hang → the worker is killed and replaced → ``timeout``
- ``MemoryError`` in Python, or an allocator abort in native code → ``memory_limit``
- segfault / abort / any other death → ``parser_crash``
- an unexpected exception inside a parser (a bug) → ``parser_crash``

Like every multiprocessing program, a script that uses the pool must guard its entry point
with ``if __name__ == "__main__":`` (console scripts such as ``ct`` already do).

``SandboxPool`` keeps workers alive across files (the per-file cost is one pipe round trip);
``parse_in_sandbox`` is the one-shot convenience.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from control_tower.domain import ParsedDocument
from ingest.detect import ZipLimits
from ingest.errors import IngestError

_PRELOAD = ["ingest.parsers", "ingest.normalize"]
# What native allocators print when RLIMIT_AS makes an allocation fail (Rust, C++, glibc, Python).
_OOM_MARKERS = (
    "memory allocation of",
    "MemoryError",
    "std::bad_alloc",
    "out of memory",
    "Cannot allocate memory",
    "cannot allocate memory",
)


def _default_target(path: str, zip_limits: ZipLimits | None) -> ParsedDocument:
    from ingest.parsers import parse_file

    return parse_file(path, zip_limits=zip_limits)


def _worker_main(conn, memory_mb: int, stderr_path: str, target, zip_limits) -> None:
    """Worker loop: cap memory, then parse paths received on ``conn`` until told to stop."""
    import resource

    # Native crash messages go to a file the parent reads to tell OOM from other crashes.
    fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            conn.send(("ok", target(path, zip_limits)))
        except IngestError as e:
            conn.send(("err", e))
        except MemoryError:
            conn.send(
                ("err", IngestError("memory_limit", detail=f"MemoryError (cap {memory_mb} MiB)"))
            )
            return  # the heap may be fragmented or half-freed: start afresh
        except BaseException as e:  # a parser bug: report it, keep the worker
            detail = "".join(traceback.format_exception_only(type(e), e)).strip()[:500]
            try:
                conn.send(("err", IngestError("parser_crash", detail=detail)))
            except Exception:
                return


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: object
    stderr_path: str
    tasks: int = 0


class SandboxPool:
    """Reusable sandbox workers. Use as a context manager::

        with SandboxPool(timeout_s=120, memory_mb=2048, workers=2) as pool:
            for path, result in pool.map(paths):   # result: ParsedDocument | IngestError
                ...
            doc = pool.parse(path)                 # raises IngestError

    ``target(path, zip_limits) -> ParsedDocument`` is what runs in the worker (default:
    detect + parse + normalize). It must be a module-level function (it is pickled); tests
    pass hanging / memory-hungry targets here instead of patching real parsers.
    """

    def __init__(
        self,
        *,
        timeout_s: float,
        memory_mb: int,
        workers: int = 1,
        max_file_mb: int | None = None,
        zip_limits: ZipLimits | None = None,
        max_tasks_per_worker: int = 500,
        target: Callable[[str, ZipLimits | None], ParsedDocument] | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.workers = max(1, workers)
        self.max_file_mb = max_file_mb
        self.zip_limits = zip_limits
        self.max_tasks_per_worker = max_tasks_per_worker
        self.target = target or _default_target
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(_PRELOAD)
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._all: set[int] = set()
        self._lock = threading.Lock()
        self._tmpdir = tempfile.TemporaryDirectory(prefix="ct-sandbox-")
        self._closed = False
        for _ in range(self.workers):
            self._idle.put(None)  # a slot; the worker starts on first use

    @classmethod
    def from_settings(cls, settings, **kw) -> SandboxPool:
        kw.setdefault("timeout_s", settings.parse_timeout_s)
        kw.setdefault("memory_mb", settings.parse_memory_mb)
        kw.setdefault("max_file_mb", settings.max_file_mb)
        kw.setdefault("workers", getattr(settings, "parse_workers", 1))
        if hasattr(settings, "zip_max_members"):
            kw.setdefault("zip_limits", ZipLimits.from_settings(settings))
        return cls(**kw)

    # --- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker is not None:
                self._stop(worker)
        self._tmpdir.cleanup()

    def _start(self) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        with self._lock:
            n = len(self._all)
            self._all.add(n)
        stderr_path = os.path.join(self._tmpdir.name, f"worker-{n}.stderr")
        process = self._ctx.Process(
            target=_worker_main,
            args=(child_conn, self.memory_mb, stderr_path, self.target, self.zip_limits),
            daemon=True,
            name=f"ct-parse-{n}",
        )
        process.start()
        child_conn.close()
        return _Worker(process, parent_conn, stderr_path)

    def _stop(self, worker: _Worker, *, kill: bool = False) -> None:
        if not kill:
            try:
                worker.conn.send(None)
                worker.process.join(2)
            except (OSError, BrokenPipeError):
                pass
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()

    # --- parsing ------------------------------------------------------------------------

    def parse(self, path: str | Path) -> ParsedDocument:
        """Parse one file in a worker; raises ``IngestError`` for every failure."""
        if self._closed:
            raise RuntimeError("SandboxPool is closed")
        path = Path(path)
        if self.max_file_mb is not None:
            try:
                size = path.stat().st_size
            except OSError as e:
                raise IngestError("corrupt", detail=f"cannot stat: {e}") from None
            if size > self.max_file_mb * 1024 * 1024:
                raise IngestError("too_large", detail=f"{size} bytes > {self.max_file_mb} MiB")
        worker = self._idle.get()
        keep: _Worker | None = None
        try:
            if worker is None or not worker.process.is_alive():
                if worker is not None:
                    self._stop(worker, kill=True)
                worker = self._start()
            outcome, keep = self._run(worker, str(path))
        finally:
            self._idle.put(keep)
        if isinstance(outcome, IngestError):
            raise outcome
        return outcome

    def map(
        self, paths: Iterable[str | Path]
    ) -> Iterator[tuple[Path, ParsedDocument | IngestError]]:
        """Parse many files on all workers; yields ``(path, result)`` in input order."""

        def one(p: Path) -> tuple[Path, ParsedDocument | IngestError]:
            try:
                return p, self.parse(p)
            except IngestError as e:
                return p, e

        with ThreadPoolExecutor(max_workers=self.workers) as ex:
            yield from ex.map(one, (Path(p) for p in paths))

    def _run(
        self, worker: _Worker, path: str
    ) -> tuple[ParsedDocument | IngestError, _Worker | None]:
        """Send one path; return the outcome and the worker to keep (None = discard)."""
        try:
            worker.conn.send(path)
            ready = worker.conn.poll(self.timeout_s)
        except (OSError, BrokenPipeError):
            ready = True  # dead already: recv below raises and we classify the death
        if not ready:
            self._stop(worker, kill=True)
            return IngestError("timeout", detail=f"> {self.timeout_s:g} s"), None
        try:
            status, payload = worker.conn.recv()
        except (EOFError, OSError, ConnectionResetError):
            worker.process.join(5)
            error = self._classify_death(worker)
            self._stop(worker, kill=True)
            return error, None
        except Exception as e:  # an unpicklable result: treat as a parser bug
            self._stop(worker, kill=True)
            return IngestError("parser_crash", detail=f"result transfer: {e}"), None
        worker.tasks += 1
        if not worker.process.is_alive() or worker.tasks >= self.max_tasks_per_worker:
            self._stop(worker)
            return payload, None
        return payload, worker

    def _classify_death(self, worker: _Worker) -> IngestError:
        code = worker.process.exitcode
        try:
            with open(worker.stderr_path, errors="replace") as f:
                f.seek(max(0, os.path.getsize(worker.stderr_path) - 4096))
                tail = f.read()
        except OSError:
            tail = ""
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        if any(m in tail for m in _OOM_MARKERS):
            return IngestError(
                "memory_limit", detail=f"worker died ({how}), cap {self.memory_mb} MiB"
            )
        last_line = tail.strip().splitlines()[-1][:200] if tail.strip() else ""
        return IngestError("parser_crash", detail=f"worker died ({how}) {last_line}".strip())


def parse_in_sandbox(
    path: str | Path,
    *,
    timeout_s: float,
    memory_mb: int,
    zip_limits: ZipLimits | None = None,
) -> ParsedDocument:
    """Detect + parse + normalize ``path`` in a fresh sandboxed worker (one-shot).

    For many files use ``SandboxPool``, which reuses workers.
    """
    with SandboxPool(timeout_s=timeout_s, memory_mb=memory_mb, zip_limits=zip_limits) as pool:
        return pool.parse(path)
