"""The sandbox fails just the bad file — hang, memory blowup, crash — and keeps going."""

from __future__ import annotations

import pytest

from ingest.errors import IngestError
from ingest.sandbox import SandboxPool, parse_in_sandbox
from tests.sandbox_targets import behave


def write(tmp_path, name: str, content: str):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    return p


def test_hang_hog_crash_fail_only_that_file(tmp_path):
    files = [
        write(tmp_path, "1", "ok-1"),
        write(tmp_path, "2", "hang"),
        write(tmp_path, "3", "ok-3"),
        write(tmp_path, "4", "hog"),
        write(tmp_path, "5", "segfault"),
        write(tmp_path, "6", "bug"),
        write(tmp_path, "7", "drm"),
        write(tmp_path, "8", "ok-8"),
    ]
    with SandboxPool(timeout_s=3, memory_mb=400, target=behave) as pool:
        results = {p.name: r for p, r in pool.map(files)}
    codes = {
        k: (r.code if isinstance(r, IngestError) else r.blocks[0].text) for k, r in results.items()
    }
    assert codes["2"] == "timeout"
    assert codes["4"] == "memory_limit"
    assert codes["5"] == "parser_crash"
    assert codes["6"] == "parser_crash" and "KeyError" in results["6"].detail
    assert codes["7"] == "drm_markany"
    for ok in ("1", "3", "8"):
        assert codes[ok].startswith(f"ok-{ok} pid=")
    # A healthy worker is reused between good files; a killed one is replaced.
    pid = {k: codes[k].split("pid=")[1] for k in ("1", "3", "8")}
    assert pid["1"] != pid["3"]  # the hang in between killed the first worker
    assert all(isinstance(results[k], IngestError) for k in ("2", "4", "5", "6", "7"))


def test_worker_is_reused_across_files(tmp_path):
    files = [write(tmp_path, str(i), f"ok-{i}") for i in range(4)]
    with SandboxPool(timeout_s=10, memory_mb=1024, target=behave) as pool:
        pids = {pool.parse(p).blocks[0].text.split("pid=")[1] for p in files}
    assert len(pids) == 1


def test_native_abort_is_parser_crash(tmp_path):
    with SandboxPool(timeout_s=10, memory_mb=1024, target=behave) as pool:
        with pytest.raises(IngestError) as e:
            pool.parse(write(tmp_path, "a", "abort"))
        assert e.value.code == "parser_crash"
        assert pool.parse(write(tmp_path, "b", "ok-b")).blocks[0].text.startswith("ok-b")


def test_too_large_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (2 * 1024 * 1024))
    with SandboxPool(timeout_s=10, memory_mb=1024, max_file_mb=1, target=behave) as pool:
        with pytest.raises(IngestError) as e:
            pool.parse(big)
    assert e.value.code == "too_large"


def test_real_parse_in_sandbox(tmp_path):
    p = tmp_path / "memo.md"
    p.write_text("# 회의록\n\n포항시 AI 추진단 회의 결과입니다.\n", encoding="utf-8")
    doc = parse_in_sandbox(p, timeout_s=60, memory_mb=2048)
    assert doc.metadata["format"] == "md"
    assert [b.text for b in doc.blocks] == ["회의록", "포항시 AI 추진단 회의 결과입니다."]
    drm = tmp_path / "drm.hwp"
    drm.write_bytes(b"<MARKANY_DOCUMENTSAFER>" + b"\x01" * 100)
    with pytest.raises(IngestError) as e:
        parse_in_sandbox(drm, timeout_s=60, memory_mb=2048)
    assert e.value.code == "drm_markany"
