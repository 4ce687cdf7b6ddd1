"""`ct models status --json` / `ct models prepare --json` output shapes (Typer CliRunner)."""

from __future__ import annotations

import json
from collections import namedtuple
from pathlib import Path

import pytest
from typer.testing import CliRunner

from control_tower.cli import app
from control_tower.models import fetch
from control_tower.settings import reset_settings_cache

runner = CliRunner()


@pytest.fixture
def empty_models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    models = tmp_path / "models"
    monkeypatch.setenv("CT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CT_MODELS_DIR", str(models))
    reset_settings_cache()
    yield models
    reset_settings_cache()


def test_status_json_shape_when_nothing_is_prepared(empty_models_dir):
    result = runner.invoke(app, ["models", "status", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["models_dir"] == str(empty_models_dir.resolve())
    keys = [a["key"] for a in doc["artefacts"]]
    assert keys == ["embedding", "tiny", "small"]
    for artefact in doc["artefacts"]:
        assert set(artefact) == {
            "key", "kind", "title", "folder", "state", "verified",
            "size_bytes", "prepared_at", "problems",
        }  # fmt: skip
        assert artefact["state"] == "missing" and artefact["verified"] is False
    assert {a["kind"] for a in doc["artefacts"]} == {"embedding", "llm"}


def test_status_reports_an_incomplete_folder(empty_models_dir):
    (empty_models_dir / "multilingual-e5-small").mkdir(parents=True)
    doc = json.loads(runner.invoke(app, ["models", "status", "--json"]).stdout)
    assert doc["artefacts"][0]["state"] == "incomplete"


def test_status_of_the_prepared_models(models_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("CT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CT_MODELS_DIR", str(models_dir))
    reset_settings_cache()
    try:
        result = runner.invoke(app, ["models", "status", "--json"])
    finally:
        reset_settings_cache()
    embedding = json.loads(result.stdout)["artefacts"][0]
    assert embedding["state"] == "ready", embedding["problems"]
    assert embedding["size_bytes"] > 200_000_000


def test_prepare_json_reports_disk_full_as_error_object(empty_models_dir, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(fetch.shutil, "disk_usage", lambda _: usage(10**12, 10**12, 1000))
    result = runner.invoke(app, ["models", "prepare", "--profile", "embedding-only", "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["ok"] is False
    assert doc["error"]["code"] == "disk_full"
    assert "디스크" in doc["error"]["message"] and doc["error"]["hint"]


def test_prepare_rejects_unknown_profile(empty_models_dir):
    result = runner.invoke(app, ["models", "prepare", "--profile", "huge"])
    assert result.exit_code != 0
