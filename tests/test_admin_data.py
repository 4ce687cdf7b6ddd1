"""control_tower/admin_data.py on SQLite and PostgreSQL: per-department user/document counts,
rename only while nothing references the department (users, owned documents, restricted
allow-lists, jobs), unlock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from control_tower import accounts, admin_data
from control_tower.accounts import AccountError
from control_tower.domain import AccessLevel, DocumentMeta, now
from control_tower.store import Store
from control_tower.store.models import JobRow, UserRow
from tests.admin_fixtures import add_document
from tests.store_backends import database_url  # noqa: F401 - fixture


@pytest.fixture
def store(database_url):  # noqa: F811
    s = Store(database_url)
    for name in ("교통정책과", "복지정책과", "빈부서", "허용목록과", "작업과"):
        accounts.ensure_department(s, name)
    accounts.create_user(s, "kim", department="교통정책과", roles=["staff"], password=None)
    accounts.create_user(s, "lee", department="교통정책과", roles=["staff"], password=None)
    add_document(s, "d1", "복지정책과")
    add_document(s, "d2", "복지정책과")
    add_document(s, "d3", "교통정책과")
    yield s
    s.close()


def test_overview_counts(store):
    rows = {d.name: (d.users, d.documents, d.active) for d in admin_data.department_overview(store)}
    assert rows == {
        "교통정책과": (2, 1, True),
        "복지정책과": (0, 2, True),
        "빈부서": (0, 0, True),
        "허용목록과": (0, 0, True),
        "작업과": (0, 0, True),
    }


def test_rename_only_when_unreferenced(store):
    renamed = admin_data.rename_department(store, "빈부서", "새부서")
    assert renamed.name == "새부서"
    assert accounts.get_department(store, "빈부서") is None
    assert accounts.get_department(store, "새부서").active
    for name in ("교통정책과", "복지정책과"):
        with pytest.raises(AccountError) as e:
            admin_data.rename_department(store, name, "다른과")
        assert e.value.code == "department_in_use"
    with pytest.raises(AccountError) as e:
        admin_data.rename_department(store, "새부서", "교통정책과")
    assert e.value.code == "department_exists"
    with pytest.raises(AccountError) as e:
        admin_data.rename_department(store, "없는과", "x과")
    assert e.value.code == "unknown_department"


def test_allow_lists_and_jobs_count_as_references(store):
    meta = DocumentMeta(
        doc_id="r1",
        title="지정 문서",
        department="교통정책과",
        access_level=AccessLevel.restricted,
        allowed_departments=["허용목록과"],
        source_path="/corpus/r1.txt",
        doc_type="txt",
        content_hash="h",
    )
    store.begin_document(meta)
    ts = now()
    with store.begin() as s:
        s.add(
            JobRow(
                job_id="j1",
                kind="ingest_upload",
                state="succeeded",
                department="작업과",
                title="업로드",
                created_at=ts,
                updated_at=ts,
            )
        )
    for name in ("허용목록과", "작업과"):
        with pytest.raises(AccountError) as e:
            admin_data.rename_department(store, name, name + "2")
        assert e.value.code == "department_in_use"


def test_unlock(store):
    with store.begin() as s:
        row = s.get(UserRow, "kim")
        row.failed_logins, row.locked_until = 3, now() + timedelta(minutes=10)
    info = admin_data.unlock_user(store, "kim")
    assert info.locked_until is None
    with store.session() as s:
        assert s.get(UserRow, "kim").failed_logins == 0
    with pytest.raises(AccountError):
        admin_data.unlock_user(store, "nobody")
