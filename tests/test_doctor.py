import json
import socket

from typer.testing import CliRunner

from control_tower.cli import app
from control_tower.settings import reset_settings_cache


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_doctor_json_reports_every_part_with_hints(tmp_path, monkeypatch):
    monkeypatch.setenv("CT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CT_MODELS_DIR", str(tmp_path / "no-models"))
    monkeypatch.setenv("CT_LLM_PORT", str(_closed_port()))
    monkeypatch.delenv("CT_LLM_URL", raising=False)
    reset_settings_cache()
    result = CliRunner().invoke(app, ["doctor", "--json", "--quick"])
    reset_settings_cache()
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert {"python", "cpu", "gpu", "disk", "torch", "vllm-env", "llm"} <= checks.keys()
    assert checks["python"]["ok"] and checks["torch"]["ok"]
    # No models in that folder: a required failure with the command that fixes it.
    assert not checks["model:embedding"]["ok"]
    assert "ct models prepare" in checks["model:embedding"]["hint"]
    assert checks["model:embedding"]["required"]
    assert not checks["llm"]["ok"] and checks["llm"]["hint"]
    assert report["ok"] is False and result.exit_code == 1


def test_doctor_help_is_korean():
    result = CliRunner().invoke(app, ["doctor", "--help"])
    assert result.exit_code == 0 and "점검" in result.stdout
