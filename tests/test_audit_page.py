"""감사 로그 page, API and CSV export on a real app and real SQLite: admin only, filters
(period, user, department, event, outcome), newest first with pages, CSV with BOM and
Korean intact (parsed back with csv), and the export itself audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from control_tower.audit import AuditFilter, AuditLog
from control_tower.domain import now
from control_tower.store.models import AuditEventRow
from serving.app import create_app
from tests.auth_helpers import login, make_user

TZ = now().tzinfo  # the server's zone: the period filter is in whole local days
DEPT_A = "교통정책과"
DEPT_B = "복지정책과"


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2020, 11, day, hour, 0, tzinfo=TZ)  # long before the test's own logins


@pytest.fixture
def app(settings):
    app = create_app(settings)
    store = app.state.services.store
    make_user(store, "root", "정보통신과", ["admin"])
    make_user(store, "kim", DEPT_A, ["staff", "ai_division"])
    rows = [
        (at(2), "search", "kim", DEPT_A, "ok", "버스 노선"),
        (at(3), "login_failed", "kim", None, "failed", None),
        (at(3, 11), "login", "kim", DEPT_A, "ok", "kim"),
        (at(4), "search", "park", DEPT_B, "ok", "기초생활수급자 선정 기준"),
        (at(5), "admin.user_create", "root", "정보통신과", "ok", "park"),
        (at(6), "admin.role_change", "root", "정보통신과", "failed", "root"),
        (at(6, 23), "upload", "park", DEPT_B, "ok", "job-1"),
        (at(7, 0), "search", "park", DEPT_B, "denied", "=1+2"),
    ]
    with store.begin() as s:
        for when, event, user, dept, outcome, target in rows:
            s.add(
                AuditEventRow(
                    at=when,
                    event=event,
                    surface="web",
                    username=user,
                    department=dept,
                    authenticated=event != "login_failed",
                    outcome=outcome,
                    target=target,
                    ip="10.1.2.3",
                    details={"query": target} if event == "search" else {"n": 1},
                )
            )
    return app


def admin(app) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    login(c, "root")
    return c


def api(c, **params) -> dict:
    r = c.get("/api/v1/admin/audit", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def seeded(body: dict) -> list[str]:
    """Targets of the seeded events only (the test's own logins are audited too)."""
    return [e["target"] for e in body["events"] if e["at"] < "2021"]


def test_filters_and_newest_first(app):
    c = admin(app)
    body = api(c, date_to="2020-11-30")
    assert body["total"] == 8
    assert seeded(body) == [
        "=1+2",
        "job-1",
        "root",
        "park",
        "기초생활수급자 선정 기준",
        "kim",
        None,
        "버스 노선",
    ]
    assert seeded(api(c, date_from="2020-11-03", date_to="2020-11-06")) == [
        "job-1",
        "root",
        "park",
        "기초생활수급자 선정 기준",
        "kim",
        None,
    ]
    assert seeded(api(c, username="park")) == ["=1+2", "job-1", "기초생활수급자 선정 기준"]
    assert seeded(api(c, department=DEPT_A)) == ["kim", "버스 노선"]
    assert seeded(api(c, event="search")) == ["=1+2", "기초생활수급자 선정 기준", "버스 노선"]
    assert seeded(api(c, event="admin.")) == ["root", "park"]
    assert seeded(api(c, outcome="failed")) == ["root", None]
    assert seeded(api(c, event="search", outcome="ok", department=DEPT_B)) == [
        "기초생활수급자 선정 기준"
    ]


def test_pagination(app):
    c = admin(app)
    p1 = api(c, date_to="2020-11-30", per_page=3, page=1)
    p3 = api(c, date_to="2020-11-30", per_page=3, page=3)
    assert p1["total"] == 8 and len(p1["events"]) == 3 and len(p3["events"]) == 2
    assert p3["events"][-1]["target"] == "버스 노선"


def test_bad_filters_are_korean_400(app):
    c = admin(app)
    r = c.get("/api/v1/admin/audit", params={"date_from": "2020-11-05", "date_to": "2020-11-01"})
    assert (
        r.status_code == 400
        and r.json()["detail"]["message"] == "시작 날짜가 끝 날짜보다 늦습니다."
    )
    r = c.get("/api/v1/admin/audit.csv", params={"date_to": "9999-12-31"})
    assert r.status_code == 400 and "9000년" in r.json()["detail"]["message"]
    r = c.get("/api/v1/admin/audit", params={"outcome": "maybe"})
    assert r.status_code == 400 and r.json()["detail"]["code"] == "bad_filter"
    page = c.get("/admin/audit", params={"date_from": "어제"})
    assert page.status_code == 400 and "YYYY-MM-DD" in page.text


def test_csv_export_bom_korean_filters_and_audited(app):
    c = admin(app)
    r = c.get("/api/v1/admin/audit.csv", params={"department": DEPT_B})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "at",
        "event",
        "outcome",
        "username",
        "department",
        "surface",
        "target",
        "ip",
        "details",
    ]
    assert [x["target"] for x in rows] == ["'=1+2", "job-1", "기초생활수급자 선정 기준"]
    assert rows[2]["department"] == DEPT_B and rows[2]["username"] == "park"
    assert json.loads(rows[2]["details"]) == {"query": "기초생활수급자 선정 기준"}
    assert datetime.fromisoformat(rows[1]["at"]) == at(6, 23)
    (ev,) = AuditLog(app.state.services.store).query(AuditFilter(event="admin.audit_export"))
    assert ev.username == "root" and ev.surface == "web"
    assert ev.details["filters"] == {"department": DEPT_B}


def test_audit_page_lists_and_links_csv_with_filters(app):
    c = admin(app)
    r = c.get("/admin/audit", params={"username": "park", "event": "search"})
    assert r.status_code == 200
    assert r.text.count('data-testid="audit-row"') == 2
    assert "기초생활수급자 선정 기준" in r.text and "검색" in r.text and "거부" in r.text
    assert "/api/v1/admin/audit.csv?username=park&amp;event=search" in r.text
    assert 'data-testid="audit-total">2건' in r.text
    empty = c.get("/admin/audit", params={"username": "nobody"})
    assert 'data-testid="audit-empty"' in empty.text


def test_audit_is_admin_only(app):
    anon = TestClient(app, follow_redirects=False)
    assert anon.get("/api/v1/admin/audit").status_code == 401
    assert anon.get("/api/v1/admin/audit.csv").status_code == 401
    assert anon.get("/admin/audit").status_code == 303
    staff = TestClient(app, follow_redirects=False)
    login(staff, "kim")  # staff + ai_division: still not an admin
    assert staff.get("/api/v1/admin/audit").status_code == 403
    r = staff.get("/api/v1/admin/audit.csv")
    assert r.status_code == 403 and b"\xef\xbb\xbf" not in r.content
    assert staff.get("/admin/audit").status_code == 403
    exports = AuditLog(app.state.services.store).query(AuditFilter(event="admin.audit_export"))
    assert exports == []
