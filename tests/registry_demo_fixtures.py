"""The demo corpus ingested and its registry built once per test session (real parsers,
real index, real store); tests that change it work on a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def demo_settings(data_dir: Path, models_dir: Path):  # noqa: ANN201
    from control_tower.settings import Settings

    return Settings(_env_file=None, data_dir=data_dir, models_dir=models_dir)


@pytest.fixture(scope="session")
def demo_registry(tmp_path_factory, models_dir):
    """(settings, build report) of a data dir with the demo corpus and its registry."""
    from control_tower.bootstrap import prepare_demo
    from control_tower.registry.build import build_registry
    from control_tower.store import open_store

    data = tmp_path_factory.mktemp("demo_registry") / "data"
    data.mkdir()
    settings = demo_settings(data, models_dir)
    prepare_demo(settings)
    report = build_registry(settings, open_store(settings), use_llm=False)
    return settings, report


@pytest.fixture
def demo_copy(demo_registry, tmp_path, models_dir, monkeypatch):
    """Settings of a private copy of the built demo data dir (also set in the environment,
    for CLI commands)."""
    from control_tower.settings import reset_settings_cache

    settings, _ = demo_registry
    data = tmp_path / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("*.lock"))
    monkeypatch.setenv("CT_DATA_DIR", str(data))
    monkeypatch.setenv("CT_MODELS_DIR", str(models_dir))
    for var in ("CT_LLM_URL", "CT_DATABASE_URL", "CT_CHROMA_URL"):
        monkeypatch.delenv(var, raising=False)
    reset_settings_cache()
    yield demo_settings(data, models_dir)
    reset_settings_cache()
