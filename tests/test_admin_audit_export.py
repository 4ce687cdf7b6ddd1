"""CSV export of the audit log (control_tower/audit_export.py) on SQLite and PostgreSQL:
BOM + Korean intact when parsed back, keyset paging that neither skips nor repeats rows that
share a timestamp, filters, and no spreadsheet formulas from typed text."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from control_tower.audit import AuditFilter
from control_tower.audit_export import COLUMNS, csv_lines, iter_events, safe_cell
from control_tower.store import Store
from control_tower.store.models import AuditEventRow
from tests.store_backends import database_url  # noqa: F401 - fixture

KST = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=KST)


@pytest.fixture
def store(database_url):  # noqa: F811 - SQLite and PostgreSQL (skips where none answers)
    s = Store(database_url)
    yield s
    s.close()


def add(store, n: int, *, same_time: bool = False, **kw) -> None:
    with store.begin() as s:
        for i in range(n):
            s.add(
                AuditEventRow(
                    at=T0 if same_time else T0 + timedelta(minutes=i),
                    event=kw.get("event", "search"),
                    surface="web",
                    username=kw.get("user", "이순신"),
                    department=kw.get("dept", "교통정책과"),
                    authenticated=True,
                    outcome=kw.get("outcome", "ok"),
                    target=kw.get("target", f"버스 노선 {i}"),
                    ip="10.0.0.7",
                    details={"query": f"버스 노선 {i}", "results": []},
                )
            )


def parse(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_round_trip_korean(store):
    add(store, 3)
    data = b"".join(csv_lines(store, AuditFilter(), tz=KST))
    rows = parse(data)
    assert list(rows[0]) == COLUMNS
    assert [r["target"] for r in rows] == ["버스 노선 2", "버스 노선 1", "버스 노선 0"]
    assert rows[0]["username"] == "이순신" and rows[0]["department"] == "교통정책과"
    assert rows[0]["at"] == "2026-11-20T09:02:00+09:00"
    assert json.loads(rows[0]["details"]) == {"query": "버스 노선 2", "results": []}


def test_keyset_pages_keep_every_row_with_equal_timestamps(store):
    add(store, 7, same_time=True)
    add(store, 4)
    rows = list(iter_events(store, AuditFilter(), page=3))
    assert len(rows) == 11
    assert len({r.id for r in rows}) == 11
    keys = [(r.at, r.id) for r in rows]
    assert keys == sorted(keys, reverse=True)


def test_filters_apply(store):
    add(store, 2, user="kim", dept="복지정책과")
    add(store, 3, event="login", outcome="failed")
    flt = AuditFilter(department="복지정책과")
    assert [r["username"] for r in parse(b"".join(csv_lines(store, flt)))] == ["kim", "kim"]
    flt = AuditFilter(event="login", outcome="failed")
    assert len(parse(b"".join(csv_lines(store, flt)))) == 3
    assert parse(b"".join(csv_lines(store, AuditFilter(username="nobody")))) == []


def test_formula_cells_are_neutralized(store):
    add(store, 1, target='=HYPERLINK("http://evil","x")')
    rows = parse(b"".join(csv_lines(store, AuditFilter())))
    assert rows[0]["target"] == '\'=HYPERLINK("http://evil","x")'
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("버스") == "버스"
    assert safe_cell(None) == ""
