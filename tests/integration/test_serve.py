"""`ct serve --demo` end to end — what `make run` does: a real process with the embedded vLLM
server (profile tiny), demo corpus generated and ingested, then the web app answering."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = Path(os.environ.get("CT_MODELS_DIR", REPO_ROOT / "data" / "models")).resolve()
VLLM_PYTHON = REPO_ROOT / ".venv-vllm" / "bin" / "python"

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, *, status: int, timeout_s: float, proc: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ct serve exited early with code {proc.returncode}")
        try:
            last = httpx.get(url, timeout=10)
            if last.status_code == status:
                return last
        except httpx.TransportError:
            pass
        time.sleep(2)
    pytest.fail(
        f"{url} did not answer {status} within {timeout_s:.0f} s; last: {last and last.text}"
    )


def test_ct_serve_demo_with_embedded_llm(tmp_path):
    if not (MODELS_DIR / "llm" / "tiny" / "config.json").is_file() or not VLLM_PYTHON.exists():
        pytest.skip("embedded LLM not prepared: run `make setup`")
    app_port, llm_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "CT_DATA_DIR": str(tmp_path / "data"),
        "CT_MODELS_DIR": str(MODELS_DIR),
        "CT_VLLM_PYTHON": str(VLLM_PYTHON),
        "CT_LLM_PROFILE": "tiny",
        "CT_LLM_PORT": str(llm_port),
        "CT_PORT": str(app_port),
    }
    env.pop("CT_LLM_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "control_tower.cli", "serve", "--demo"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{app_port}"
    try:
        # Liveness comes first, long before the demo corpus and the LLM are ready.
        assert _wait(f"{base}/healthz", status=200, timeout_s=120, proc=proc).json() == {
            "status": "ok"
        }
        ready = _wait(f"{base}/readyz", status=200, timeout_s=1500, proc=proc).json()
        assert ready["ready"] and ready["startup"]["phase"] == "ready"
        assert {c["name"] for c in ready["checks"] if c["ok"]} >= {"database", "index", "llm"}

        # The embedded LLM answers on its own port with the OpenAI API.
        models = httpx.get(f"http://127.0.0.1:{llm_port}/v1/models", timeout=10).json()
        assert [m["id"] for m in models["data"]] == ["tiny"]

        # Demo documents are searchable with citations, within each user's rights.
        admin = httpx.Client(base_url=base, timeout=60)
        r = admin.post(
            "/api/v1/auth/login", json={"username": "admin", "password": "demo-admin-2026"}
        )
        assert r.status_code == 200, r.text
        r = admin.get("/api/v1/search", params={"q": "통합 데이터 플랫폼", "k": 5})
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert results and all(res["department"] for res in results)
        # nobody is anyone without logging in: no anonymous search, the old header is ignored
        anon = httpx.get(f"{base}/api/v1/search", params={"q": "예산 협의"}, timeout=60)
        assert anon.status_code == 401
        forged = httpx.get(f"{base}/api/v1/documents", headers={"X-CT-User": "admin"}, timeout=30)
        assert forged.status_code == 401
        staff = httpx.Client(base_url=base, timeout=60)
        r = staff.post(
            "/api/v1/auth/login",
            json={"username": "battery_staff", "password": "demo-staff-2026"},
        )
        assert r.status_code == 200, r.text
        readable = {
            d["doc_id"]
            for d in staff.get("/api/v1/documents", params={"limit": 1000}).json()["documents"]
        }
        found = staff.get("/api/v1/search", params={"q": "예산 협의"}).json()["results"]
        assert {res["doc_id"] for res in found} <= readable
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("ct serve did not stop within 90 s of Ctrl-C")
        log.close()
    # Ctrl-C stopped the LLM server too: nothing answers on its port any more.
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{llm_port}/v1/models", timeout=5)
