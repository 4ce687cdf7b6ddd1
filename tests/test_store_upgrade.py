"""Upgrading an existing data folder keeps every document: a database written by the store as
it was before migrations existed (``tests/fixtures/legacy_store_v0.db``, made with that code),
plus its JSONL audit log, is brought to the newest schema by ``ct db upgrade`` and on open."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from control_tower.audit import AuditLog
from control_tower.cli import app as ct
from control_tower.settings import reset_settings_cache
from control_tower.store import open_store
from control_tower.store.migrate import _config, current_revision, head_revision
from control_tower.store.models import DepartmentRow
from control_tower.store.store import Store, make_engine
from tests.store_backends import fresh_postgres_url

FIXTURES = Path(__file__).parent / "fixtures"


def _legacy_folder(settings) -> None:
    shutil.copy(FIXTURES / "legacy_store_v0.db", settings.data_dir / "control_tower.db")
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "legacy_audit.jsonl", settings.logs_dir / "audit.jsonl")


def test_ct_db_upgrade_keeps_every_document(settings, monkeypatch):
    _legacy_folder(settings)
    engine = make_engine(settings.database_url)
    assert current_revision(engine) is None  # no alembic_version: made by create_all
    reset_settings_cache()
    status = CliRunner().invoke(ct, ["db", "status", "--json"])
    assert status.exit_code == 0 and json.loads(status.stdout)["up_to_date"] is False
    result = CliRunner().invoke(ct, ["db", "upgrade", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) | {"database": None} == {
        "database": None,
        "from": None,
        "to": head_revision(),
    }
    store = open_store(settings)
    docs = {d.doc_id: d for d in store.list_documents()}
    assert set(docs) == {"d1", "d2", "d3"}
    assert docs["d3"].allowed_users == ["welfare_head"] and docs["d1"].chunk_count == 3
    assert [v.version for v in store.versions("d2")] == [1]
    assert store.get_user("battery_staff").department == "배터리산업과"
    with store.session() as s:  # departments already in use became managed departments
        names = set(s.scalars(sa.select(DepartmentRow.name)))
    assert names == {"배터리산업과", "교통정책과", "복지정책과", "디지털융합산업과"}
    events = AuditLog(store).read()  # the JSONL audit log moved into the table
    assert [e.target for e in events] == ["배터리 재활용", "없는 검색어"]
    assert events[1].at.utcoffset() is not None
    assert not (settings.logs_dir / "audit.jsonl").exists()
    assert (settings.logs_dir / "audit.jsonl.imported").exists()
    again = CliRunner().invoke(ct, ["db", "upgrade"])
    assert again.exit_code == 0 and "이미 최신" in again.output
    assert len(AuditLog(open_store(settings)).read()) == 2  # imported once


def test_opening_the_store_upgrades_by_itself(settings):
    _legacy_folder(settings)
    store = open_store(settings)
    assert current_revision(store.engine) == head_revision()
    assert len(store.list_documents()) == 3


def test_postgres_baseline_upgrade_keeps_rows():
    for url in fresh_postgres_url():
        engine = make_engine(url)
        with engine.begin() as conn:
            command.upgrade(_config(conn), "0001")
            conn.execute(
                sa.text(
                    "INSERT INTO documents (doc_id, source_path, title, department, "
                    "access_level, allowed_users, allowed_departments, version, status, "
                    "chunk_count, extra, created_at, updated_at) VALUES ('d1', '/x/a.hwp', "
                    "'하천 수위 예측', '안전정책과', 'internal', '[]', '[]', 1, 'indexed', 4, "
                    "'{}', now(), now())"
                )
            )
        store = Store(url)
        assert current_revision(store.engine) == head_revision()
        assert store.get_document("d1").title == "하천 수위 예측"
        with store.session() as s:
            assert s.get(DepartmentRow, "안전정책과") is not None
        store.close()
        engine.dispose()
