"""`ct ingest` as a user runs it: a real subprocess, exit codes, one JSON object, Korean text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from control_tower.cli import app
from tests.pipeline_fixtures import write_text_corpus

CT = str(Path(sys.executable).parent / "ct")


def _env(settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CT_DATA_DIR=str(settings.data_dir),
        CT_MODELS_DIR=str(settings.models_dir),
        COLUMNS="250",  # wide enough that Rich does not fold the Korean reasons
    )
    for var in ("CT_CHROMA_URL", "CT_DATABASE_URL"):
        env.pop(var, None)
    return env


def test_bad_arguments_fail_in_korean_without_loading_anything(tmp_path, settings):
    runner = CliRunner()
    r = runner.invoke(app, ["ingest"])
    assert r.exit_code == 2 and "수집할 파일이나 폴더를 지정하세요" in r.output
    r = runner.invoke(app, ["ingest", str(tmp_path / "없음")])
    assert r.exit_code == 2 and "경로를 찾을 수 없습니다" in r.output
    r = runner.invoke(app, ["ingest", str(tmp_path), "--access", "secret"])
    assert r.exit_code == 2 and "알 수 없는 공개 범위" in r.output
    r = runner.invoke(app, ["ingest", str(tmp_path), "--allow-user", "kim"])
    assert r.exit_code == 2 and "restricted" in r.output
    assert not (settings.data_dir / "chroma").exists()  # nothing was opened


def test_json_output_is_one_object_and_table_is_korean(tmp_path, settings):
    corpus = tmp_path / "문서"
    write_text_corpus(corpus, 2)
    (corpus / "깨진.bin").write_bytes(b"\x00\x01garbage" * 30)
    given = str(corpus)
    done = subprocess.run(
        [CT, "ingest", given, "--department", "교통정책과", "--access", "public", "--json"],
        env=_env(settings),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr  # completed, although one file was skipped
    report = json.loads(done.stdout)  # exactly one JSON document, nothing else on stdout
    assert set(report) >= {"files", "counts"}
    assert report["counts"]["indexed"] == 2 and report["counts"]["skipped"] == 1
    for f in report["files"]:
        assert set(f) >= {"path", "status", "reason", "chunks", "doc_id"}
        assert f["path"].startswith(given + os.sep)
    bad = next(f for f in report["files"] if f["path"].endswith("깨진.bin"))
    assert bad["status"] == "skipped" and bad["reason"] == "unsupported_type"
    assert "지원하지 않는 파일 형식" in bad["message"]

    again = subprocess.run(
        [CT, "ingest", given], env=_env(settings), capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stderr
    assert "변경 없음" in again.stdout and "건너뜀" in again.stdout
    assert "지원하지 않는 파일 형식" in again.stdout
