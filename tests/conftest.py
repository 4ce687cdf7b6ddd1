"""Fixtures every test may use. Real components; fakes only for orchestration unit tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from control_tower.settings import Settings, reset_settings_cache

# Index/pipeline fixtures (embedder, chroma_server, store, index) shared by several test files.
pytest_plugins = [
    "tests.index_fixtures",
    "tests.pipeline_fixtures",
    "tests.registry_demo_fixtures",
    "tests.model_cache",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("CT_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
# Prepared models live in the repository's data dir (make setup puts them there); tests that
# use a temporary data dir still read the real weights from here.
REAL_MODELS_DIR = Path(os.environ.get("CT_MODELS_DIR", REPO_ROOT / "data" / "models")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data not present ({SHARED_DATA})")
    return SHARED_DATA


@pytest.fixture(scope="session")
def models_dir() -> Path:
    marker = REAL_MODELS_DIR / "multilingual-e5-small" / "config.json"
    if not marker.exists():
        pytest.skip(f"embedded models not prepared in {REAL_MODELS_DIR}: run `ct models prepare`")
    return REAL_MODELS_DIR


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with all state in a fresh temp dir and the real prepared models."""
    monkeypatch.setenv("CT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CT_MODELS_DIR", str(REAL_MODELS_DIR))
    for var in ("CT_LLM_URL", "CT_CHROMA_URL", "CT_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    reset_settings_cache()
    s = Settings(_env_file=None)
    s.data_dir.mkdir(parents=True, exist_ok=True)
    yield s
    reset_settings_cache()
