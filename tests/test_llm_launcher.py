"""Launcher unit tests: command lines per profile/device, preconditions, process-group stop.

The stop test runs a real process tree (a shell that forks sleepers) in place of vLLM, so the
group-termination logic is exercised without loading a model.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

import pytest

from control_tower.llm import LLMConfigError, LLMServerError, get_profile
from control_tower.llm.profiles import PROFILES, Device
from control_tower.settings import Settings
from serving.vllm_launcher import VLLMServer, build_command, build_env, group_alive


def _flag(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


@pytest.fixture
def llm_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for var in ("CT_LLM_URL", "CT_LLM_MODEL", "CT_LLM_PROFILE", "CT_LLM_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        models_dir=tmp_path / "models",
        vllm_python=Path(sys.executable),
        llm_tensor_parallel_size=4,
    )


@pytest.mark.parametrize("name", ["tiny", "small"])
def test_cpu_profile_command_line(llm_settings: Settings, name: str) -> None:
    profile = get_profile(name)
    cmd = build_command(llm_settings, profile, host="127.0.0.1", port=8123)
    assert cmd[:3] == [sys.executable, "-m", "vllm.entrypoints.openai.api_server"]
    assert _flag(cmd, "--model") == str(llm_settings.models_dir / "llm" / name)
    assert _flag(cmd, "--served-model-name") == name
    assert _flag(cmd, "--port") == "8123"
    assert _flag(cmd, "--dtype") == "bfloat16"
    assert int(_flag(cmd, "--max-model-len")) >= 4096
    assert _flag(cmd, "--tool-call-parser") == "hermes"
    assert "--enable-auto-tool-choice" in cmd
    assert "--enforce-eager" in cmd
    # GPU-only flags never reach a CPU server.
    assert "--tensor-parallel-size" not in cmd
    assert "--gpu-memory-utilization" not in cmd
    assert "--api-key" not in cmd  # default key "EMPTY" means: no auth

    env = build_env(profile, base={"PATH": "/usr/bin"})
    assert env["VLLM_CPU_NUM_OF_RESERVED_CPU"] == "0"
    assert env["VLLM_CPU_KVCACHE_SPACE"] == "2"
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["PATH"] == "/usr/bin"


@pytest.mark.parametrize(
    ("name", "repo"),
    [("kanana-8b", "kakao/kanana-1.5-8b-instruct-2505"), ("qwen3-8b", "Qwen/Qwen3-8B")],
)
def test_gpu_profile_command_line(llm_settings: Settings, name: str, repo: str) -> None:
    profile = get_profile(name)
    assert profile.device is Device.CUDA
    cmd = build_command(llm_settings, profile, host="0.0.0.0", port=9000)
    assert _flag(cmd, "--model") == repo
    assert _flag(cmd, "--served-model-name") == name
    assert _flag(cmd, "--tensor-parallel-size") == "4"  # from settings
    assert 0.5 < float(_flag(cmd, "--gpu-memory-utilization")) < 1.0
    assert "--enforce-eager" not in cmd  # CUDA graphs are what make the GPU fast
    assert "VLLM_CPU_KVCACHE_SPACE" not in build_env(profile, base={})


def test_qwen3_profile_turns_thinking_off_by_default(llm_settings: Settings) -> None:
    cmd = build_command(llm_settings, get_profile("qwen3-8b"), host="h", port=1)
    assert json.loads(_flag(cmd, "--default-chat-template-kwargs")) == {"enable_thinking": False}
    assert _flag(cmd, "--reasoning-parser") == "qwen3"


def test_api_key_is_passed_when_set(llm_settings: Settings) -> None:
    s = llm_settings.model_copy(update={"llm_api_key": "secret-key"})
    cmd = build_command(s, get_profile("tiny"), host="h", port=1)
    assert _flag(cmd, "--api-key") == "secret-key"


def test_profile_selection_from_settings(llm_settings: Settings) -> None:
    s = llm_settings.model_copy(update={"llm_profile": "small"})
    server = VLLMServer(s, port=8555, device=Device.CPU)
    assert server.profile.name == "small"
    assert server.base_url == "http://127.0.0.1:8555/v1"
    assert server.log_path == s.logs_dir / "vllm-small-8555.log"
    assert VLLMServer(s, "tiny", device=Device.CPU).profile.name == "tiny"
    assert set(PROFILES) >= {"tiny", "small", "kanana-8b", "qwen3-8b"}


def test_unknown_profile_is_a_korean_config_error(llm_settings: Settings) -> None:
    with pytest.raises(LLMConfigError) as info:
        VLLMServer(llm_settings, "gpt-5")
    assert info.value.code == "llm_unknown_profile"
    assert "알 수 없는" in info.value.message
    assert "tiny" in info.value.hint


def test_gpu_profile_refused_on_cpu(llm_settings: Settings) -> None:
    server = VLLMServer(llm_settings, "kanana-8b", device=Device.CPU)
    with pytest.raises(LLMConfigError) as info:
        server.start()
    assert info.value.code == "llm_gpu_required"
    assert server.process is None


def test_missing_model_folder_is_reported(llm_settings: Settings) -> None:
    server = VLLMServer(llm_settings, "tiny", device=Device.CPU)
    with pytest.raises(LLMConfigError) as info:
        server.start()
    assert info.value.code == "llm_model_missing"
    assert "ct models prepare --profile tiny" in info.value.hint


def test_missing_vllm_env_is_reported(llm_settings: Settings, tmp_path: Path) -> None:
    s = llm_settings.model_copy(update={"vllm_python": tmp_path / "nowhere" / "python"})
    with pytest.raises(LLMConfigError) as info:
        VLLMServer(s, "tiny", device=Device.CPU).start()
    assert info.value.code == "llm_env_missing"


def _fake_model(settings: Settings, name: str = "tiny") -> None:
    folder = settings.models_dir / "llm" / name
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")


def test_port_in_use_is_reported(llm_settings: Settings) -> None:
    _fake_model(llm_settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(LLMServerError) as info:
            VLLMServer(llm_settings, "tiny", port, device=Device.CPU).start()
    assert info.value.code == "llm_port_in_use"


def _tree_script(pid_file: Path) -> str:
    # A leader that forks two long-sleeping workers:
    # the same shape as vLLM's API server + engine core processes.
    return (
        "import os, subprocess, sys, time\n"
        "kids = [subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])"
        " for _ in range(2)]\n"
        f"open({str(pid_file)!r}, 'w').write(' '.join(str(k.pid) for k in kids))\n"
        "time.sleep(600)\n"
    )


class _TreeServer(VLLMServer):
    """VLLMServer whose command is a small process tree instead of vLLM."""

    script = ""

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-c", self.script]


def test_stop_terminates_the_whole_process_group(llm_settings: Settings, tmp_path: Path) -> None:
    _fake_model(llm_settings)
    pid_file = tmp_path / "kids.txt"
    server = _TreeServer(llm_settings, "tiny", port=_free_port(), device=Device.CPU)
    server.script = _tree_script(pid_file)
    server.start()
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.1)
    kids = [int(p) for p in pid_file.read_text().split()]
    pgid = server.pgid
    assert pgid == server.process.pid
    assert all(os.getpgid(k) == pgid for k in kids)  # workers share the server's group
    assert os.getpgid(0) != pgid  # …which is not ours: Ctrl-C in a terminal reaches only us

    server.stop(grace_s=10)
    assert not group_alive(pgid)
    for k in kids:
        assert not _alive(k)
    assert server.process is None


def test_stop_kills_after_grace_when_sigterm_is_ignored(
    llm_settings: Settings, tmp_path: Path
) -> None:
    _fake_model(llm_settings)
    ready = tmp_path / "ready"
    server = _TreeServer(llm_settings, "tiny", port=_free_port(), device=Device.CPU)
    server.script = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"open({str(ready)!r}, 'w').write('x')\n"
        "time.sleep(600)\n"
    )
    server.start()
    for _ in range(100):
        if ready.exists():
            break
        time.sleep(0.1)
    pgid = server.pgid
    server.stop(grace_s=1)
    assert not group_alive(pgid)


def test_wait_ready_reports_early_exit_with_log_tail(llm_settings: Settings) -> None:
    _fake_model(llm_settings)
    server = _TreeServer(llm_settings, "tiny", port=_free_port(), device=Device.CPU)
    server.script = "import sys; print('모델 로딩 실패: 테스트'); sys.exit(3)"
    server.start()
    with pytest.raises(LLMServerError) as info:
        server.wait_ready(timeout=60, poll_s=0.1)
    assert info.value.code == "llm_server_exited"
    assert "모델 로딩 실패: 테스트" in info.value.message
    assert str(server.log_path) in info.value.hint
    server.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still "exists"; it is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
