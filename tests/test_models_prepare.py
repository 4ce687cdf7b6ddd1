"""Fetch / assemble / verify / orchestration of `ct models prepare`, on small wheels built here.

pip really runs (against a local ``--find-links`` folder); only the GGUF→safetensors converter
is replaced by a small script, because the real one needs the vLLM environment and minutes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
import sys
import textwrap
import zipfile
from collections import namedtuple
from pathlib import Path

import pytest

from control_tower.models import catalog, fetch, prepare
from control_tower.models.assemble import assemble_parts
from control_tower.models.catalog import FilePin, LlmSpec, WheelPin
from control_tower.models.errors import ModelError
from control_tower.models.fetch import ensure_wheel
from control_tower.models.manifest import MANIFEST_NAME
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
