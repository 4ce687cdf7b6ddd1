from pathlib import Path

import pytest

from control_tower.settings import Settings


def test_defaults_put_all_state_under_data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("CT_DATA_DIR", "CT_MODELS_DIR", "CT_DATABASE_URL", "CT_LLM_URL", "CT_CHROMA_URL"):
        monkeypatch.delenv(var, raising=False)
    s = Settings(_env_file=None)
    data = (tmp_path / "data").resolve()
    assert s.data_dir == data
    assert s.models_dir == data / "models"
    assert s.database_url == f"sqlite:///{data / 'control_tower.db'}"
    assert s.chroma_dir == data / "chroma"
    assert s.logs_dir == data / "logs"
    assert s.effective_chroma_mode == "embedded"
    assert not s.llm_is_external
    assert s.llm_base_url == "http://127.0.0.1:8001/v1"


def test_env_prefix_and_external_services(tmp_path, monkeypatch):
    monkeypatch.setenv("CT_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("CT_LLM_URL", "http://gpu-server:8000/v1/")
    monkeypatch.setenv("CT_CHROMA_URL", "http://chroma:8000")
    monkeypatch.setenv("CT_DATABASE_URL", "postgresql+psycopg://ct@db/ct")
    monkeypatch.setenv("CT_LLM_PROFILE", "small")
    s = Settings(_env_file=None)
    assert s.data_dir == (tmp_path / "state").resolve()
    assert s.llm_is_external and s.llm_base_url == "http://gpu-server:8000/v1"
    assert s.effective_chroma_mode == "http"
    assert s.database_url.startswith("postgresql")
    assert s.llm_profile == "small"


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("CT_LLM_PORT", raising=False)
    env = tmp_path / ".env"
    env.write_text("CT_LLM_PORT=9123\nCT_EMBEDDING_MODEL=/models/kure\n", encoding="utf-8")
    s = Settings(_env_file=str(env))
    assert s.llm_port == 9123
    assert s.embedding_model == "/models/kure"


def test_invalid_value_is_rejected(monkeypatch):
    monkeypatch.setenv("CT_CHROMA_MODE", "cloud")
    with pytest.raises(ValueError):
        Settings(_env_file=None)


def test_relative_data_dir_is_resolved_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CT_DATA_DIR", "rel")
    s = Settings(_env_file=None)
    monkeypatch.chdir(Path("/"))
    assert s.data_dir == (tmp_path / "rel").resolve()


def test_embedding_engine_setting(monkeypatch):
    monkeypatch.delenv("CT_EMBEDDING_ENGINE", raising=False)
    assert Settings(_env_file=None).embedding_engine == "auto"
    monkeypatch.setenv("CT_EMBEDDING_ENGINE", "onnx")
    assert Settings(_env_file=None).embedding_engine == "onnx"
    monkeypatch.setenv("CT_EMBEDDING_ENGINE", "tensorrt")
    with pytest.raises(ValueError):
        Settings(_env_file=None)
