"""The real app for the browser tests: `ct serve --demo --no-llm` in a subprocess on a free port.

Ingesting the 62 demo documents takes minutes on 2 cores, so ONE server is shared by all browser
tests, and the freshly ingested data folder is kept as a pristine snapshot between runs
(``test-artifacts/browser-server/pristine-<key>``). Why this is safe:

- the key hashes every source file that decides what ingestion writes (``ingest/``, the demo
  generator, index, store and migrations, accounts, settings, the prepared embedding model's
  files), so any change there ingests afresh; CI works in a fresh clone and always ingests;
- the snapshot is taken from a data folder no server has touched (prepared by a separate
  process), and restored at the SAME absolute path it was made at — document ids are hashes of
  absolute paths, so a copy elsewhere would not match its own rows;
- a second pytest session running at the same time does not share it: it gets its own
  uncached folder. ``CT_BROWSER_NO_CACHE=1`` turns the snapshot off.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
WORK_DIR = REPO_ROOT / "test-artifacts" / "browser-server"
KEY_SOURCES = [
    "ingest",
    "control_tower/demo",
    "control_tower/index",
    "control_tower/store",
    "control_tower/accounts",
    "control_tower/bootstrap.py",
    "control_tower/domain.py",
    "control_tower/settings.py",
    "control_tower/embeddings.py",
    "control_tower/onnx_encoder.py",
    "pyproject.toml",
]
READY_TIMEOUT_S = float(os.environ.get("CT_BROWSER_READY_TIMEOUT", "1200"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(data_dir: Path, models_dir: Path) -> dict[str, str]:
    """The caller's environment without any CT_* setting (a developer's shell may point at
    another database or LLM), plus the test server's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CT_")}
    env.update(
        CT_DATA_DIR=str(data_dir),
        CT_MODELS_DIR=str(models_dir),
        CT_LLM_PROFILE="tiny",
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def snapshot_key(models_dir: Path) -> str:
    h = hashlib.sha256(sys.version.encode())
    for rel in KEY_SOURCES:
        root = REPO_ROOT / rel
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(REPO_ROOT)).encode())
                h.update(f.read_bytes())
    e5 = models_dir / "multilingual-e5-small"
    for f in sorted(e5.rglob("*")) if e5.is_dir() else []:
        if f.is_file():
            st = f.stat()
            h.update(f"{f.relative_to(models_dir)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def _prepare_demo(data_dir: Path, models_dir: Path, log: Path) -> None:
    """Generate and ingest the demo corpus in a process of its own (no server running)."""
    code = (
        "from control_tower.bootstrap import prepare_demo\n"
        "from control_tower.settings import get_settings\n"
        "r = prepare_demo(get_settings())\n"
        "print('prepared', r.counts)\n"
    )
    with log.open("ab") as out:
        rc = subprocess.run(
            [sys.executable, "-c", code],
            env=_clean_env(data_dir, models_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
            timeout=READY_TIMEOUT_S,
        ).returncode
    if rc != 0:
        raise RuntimeError(f"demo preparation failed (exit {rc}); see {log}")


def prepare_data_dir(models_dir: Path, fallback_tmp: Path) -> tuple[Path, object | None]:
    """A data folder with the demo corpus ingested; returns it and the lock to hold while the
    server runs (None when the snapshot is not used)."""
    if os.environ.get("CT_BROWSER_NO_CACHE") == "1":
        return fallback_tmp, None
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    lock = (WORK_DIR / ".lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # another session is using it: work uncached in our own folder
        lock.close()
        return fallback_tmp, None
    data = WORK_DIR / "data"
    pristine = WORK_DIR / f"pristine-{snapshot_key(models_dir)}"
    shutil.rmtree(data, ignore_errors=True)
    if pristine.is_dir():
        shutil.copytree(pristine, data, symlinks=True)
        return data, lock
    for old in WORK_DIR.glob("pristine-*"):
        shutil.rmtree(old, ignore_errors=True)
    data.mkdir(parents=True)
    _prepare_demo(data, models_dir, WORK_DIR / "prepare.log")
    partial = pristine.with_name(pristine.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(data, partial, symlinks=True)
    partial.rename(pristine)  # atomic: a killed copy never looks complete
    return data, lock


@dataclass
class LiveServer:
    """A running `ct serve --demo --no-llm`; ``base_url`` is where the browser goes."""

    base_url: str
    data_dir: Path
    log_path: Path
    proc: subprocess.Popen
    _lock: object | None = field(default=None, repr=False)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self._lock is not None:
            self._lock.close()


def start_server(data_dir: Path, models_dir: Path, log_path: Path, lock=None) -> LiveServer:
    port = free_port()
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "control_tower.cli", "serve", "--demo", "--no-llm"]
        + ["--host", "127.0.0.1", "--port", str(port)],
        env=_clean_env(data_dir, models_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=data_dir.parent,
        start_new_session=True,  # its own process group: stop() signals it and its children
    )
    log.close()
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, log_path, proc, lock)
    deadline = time.monotonic() + READY_TIMEOUT_S
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            server.stop()
            raise RuntimeError(
                f"ct serve exited early (code {proc.returncode}):\n{server.log_tail()}"
            )
        try:
            r = httpx.get(f"{server.base_url}/readyz", timeout=10)
            if r.status_code == 200:
                return server
            last = r.text
            if r.json().get("startup", {}).get("phase") == "failed":
                break
        except httpx.TransportError as exc:
            last = repr(exc)
        time.sleep(2)
    server.stop()
    raise RuntimeError(f"/readyz not 200 within {READY_TIMEOUT_S:.0f} s; last: {last}")
