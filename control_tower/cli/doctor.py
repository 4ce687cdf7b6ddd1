"""`ct doctor`: is this machine ready? Each check says what it found and how to fix it."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys

import typer
from rich.table import Table

from control_tower.cli.output import console, emit_json
from control_tower.health import Check
from control_tower.settings import Settings, get_settings

MIN_FREE_DISK_GB = 5.0


def _python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check(
        name="python",
        ok=ok,
        detail=f"{platform.python_implementation()} {platform.python_version()}",
        hint=None if ok else "Python 3.11 이상을 설치하세요.",
    )


def _cpu_gpu() -> list[Check]:
    import psutil

    cores = os.cpu_count() or 1
    mem_gb = psutil.virtual_memory().total / 2**30
    cpu = Check(
        name="cpu",
        ok=mem_gb >= 8,
        detail=f"{cores}코어, 메모리 {mem_gb:.1f} GiB",
        hint=None if mem_gb >= 8 else "내장 LLM에는 메모리 8 GiB 이상이 필요합니다.",
    )
    gpu_detail = "없음 (CPU 모드: vllm-cpu)"
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
                capture_output=True,
                text=True,
                timeout=10,
            )
            if out.returncode == 0 and out.stdout.strip():
                gpu_detail = out.stdout.strip().replace("\n", "; ")
        except (OSError, subprocess.TimeoutExpired):
            pass
    gpu = Check(name="gpu", ok=True, detail=gpu_detail, required=False)
    return [cpu, gpu]


def _disk(settings: Settings) -> Check:
    target = settings.data_dir if settings.data_dir.exists() else settings.data_dir.parent
    while not target.exists():
        target = target.parent
    free_gb = shutil.disk_usage(target).free / 2**30
    ok = free_gb >= MIN_FREE_DISK_GB
    return Check(
        name="disk",
        ok=ok,
        detail=f"{settings.data_dir}: 여유 {free_gb:.1f} GiB",
        hint=None
        if ok
        else f"데이터 폴더에 {MIN_FREE_DISK_GB:.0f} GiB 이상의 여유 공간을 확보하세요.",
    )


def _torch() -> Check:
    try:
        import torch
    except ImportError:
        return Check(name="torch", ok=False, detail="설치 안 됨", hint="`make setup`을 실행하세요.")
    ok = torch.__version__.startswith("2.13.0")
    return Check(
        name="torch",
        ok=ok,
        detail=f"{torch.__version__} (CUDA {'사용 가능' if torch.cuda.is_available() else '없음'})",
        hint=None
        if ok
        else "torch==2.13.0 (CPU 빌드)이 필요합니다: `make setup`을 다시 실행하세요.",
    )


def _vllm_env(settings: Settings) -> Check:
    python = settings.vllm_python_path
    if not python.exists():
        return Check(
            name="vllm-env",
            ok=False,
            detail=f"{python} 없음",
            hint="`make setup`이 LLM 서버 환경(.venv-vllm)을 만듭니다. "
            "외부 LLM 서버를 쓰려면 CT_LLM_URL을 설정하세요.",
            required=not settings.llm_is_external,
        )
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m; print(m.version('vllm-cpu') if any("
            "d.metadata['Name']=='vllm-cpu' for d in m.distributions()) else m.version('vllm'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    ok = probe.returncode == 0
    return Check(
        name="vllm-env",
        ok=ok,
        detail=f"vLLM {probe.stdout.strip()}" if ok else probe.stderr.strip()[-300:],
        hint=None if ok else "`bash serving/install_vllm_env.sh .venv-vllm`로 다시 설치하세요.",
        required=not settings.llm_is_external,
    )


def _models(settings: Settings, *, verify: bool) -> list[Check]:
    """The embedding model and the configured embedded LLM must be prepared; others are optional."""
    from control_tower.models.catalog import default_profile, resolve_profiles
    from control_tower.models.prepare import ModelPreparer

    needed = set(resolve_profiles([default_profile(settings.llm_profile)]))
    if settings.llm_is_external:
        needed = {"embedding"}
    checks = []
    for st in ModelPreparer(settings).status(deep=verify):
        ok = st.state == "ready"
        detail = f"{st.title}: {st.state}"
        if ok:
            detail += (
                f" ({st.size_bytes / 2**20:.0f} MiB{', 체크섬 검증됨' if st.verified else ''})"
            )
        elif st.problems:
            detail += " — " + "; ".join(st.problems[:3])
        profile = "embedding-only" if st.key == "embedding" else st.key
        checks.append(
            Check(
                name=f"model:{st.key}",
                ok=ok,
                detail=detail,
                hint=None if ok else f"`ct models prepare --profile {profile}`를 실행하세요.",
                required=st.key in needed,
            )
        )
    return checks


def _llm(settings: Settings) -> Check:
    from control_tower.health import check_llm

    check = check_llm(settings, required=False)
    if not check.ok and not settings.llm_is_external:
        check.hint = "내장 LLM 서버가 꺼져 있습니다: `ct llm serve` 또는 `ct serve`로 시작하세요."
    return check


def run_checks(settings: Settings, *, verify: bool = True) -> list[Check]:
    checks = [_python(), *_cpu_gpu(), _disk(settings), _torch(), _vllm_env(settings)]
    checks += _models(settings, verify=verify)
    checks.append(_llm(settings))
    return checks


def doctor(
    json_output: bool = typer.Option(False, "--json", help="결과를 JSON으로 출력합니다."),
    verify: bool = typer.Option(
        True, "--verify/--quick", help="사용 중인 모델 파일의 sha256을 다시 계산해 검증합니다."
    ),
) -> None:
    """설치 상태 점검: Python, CPU/GPU, 디스크, 모델, LLM 서버 — 해결 방법도 알려 줍니다."""
    settings = get_settings()
    checks = run_checks(settings, verify=verify)
    healthy = all(c.ok for c in checks if c.required)
    if json_output:
        emit_json({"ok": healthy, "checks": [c.model_dump() for c in checks]})
    else:
        table = Table(title="Control Tower 점검 결과")
        for col in ("항목", "상태", "내용", "해결 방법"):
            table.add_column(col)
        for c in checks:
            mark = (
                "[green]정상[/]" if c.ok else ("[red]문제[/]" if c.required else "[yellow]주의[/]")
            )
            table.add_row(c.name, mark, c.detail, c.hint or "")
        console.print(table)
    raise typer.Exit(0 if healthy else 1)
