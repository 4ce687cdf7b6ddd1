"""AI 활용 현황 aggregates (control_tower/usage.py) over a real audit table (SQLite and PostgreSQL).

Exact numbers from events spread over several ISO weeks and departments, the week boundaries
in local (KST) time, failed events left out, and the zero-result searches grouped by
normalized query text, newest first.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from control_tower.store import Store
from control_tower.store.models import AuditEventRow
from control_tower.usage import (
    NO_DEPARTMENT,
    files_in,
    iso_week,
    measure_of,
    normalize_query,
    usage_report,
)
from tests.store_backends import database_url  # noqa: F401 - fixture

KST = ZoneInfo("Asia/Seoul")
TRAFFIC = "교통정책과"
WELFARE = "복지정책과"


@pytest.fixture
def store(database_url):  # noqa: F811 - SQLite and PostgreSQL (skips where none answers)
    s = Store(database_url)
    yield s
    s.close()


def at(month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=KST)


def add_events(store, events: list[dict]) -> None:
    with store.begin() as s:
        for e in events:
            s.add(
                AuditEventRow(
                    at=e["at"],
                    event=e.get("event", "search"),
                    surface=e.get("surface", "web"),
                    username=e["user"],
                    department=e.get("dept"),
                    authenticated=e.get("authenticated", True),
                    outcome=e.get("outcome", "ok"),
                    target=e.get("target"),
                    details=e.get("details", {}),
                )
            )


def search(when, user, dept, query, results=("c:1:0",)) -> dict:
    return {
        "at": when,
        "event": "search",
        "user": user,
        "dept": dept,
        "details": {"query": query, "results": list(results), "k": 10},
    }


@pytest.fixture
def events(store):
    add_events(
        store,
        [
            # week 46 (11-09 .. 11-15)
            search(at(11, 10), "lee", TRAFFIC, "버스 노선"),
            search(at(11, 11), "lee", TRAFFIC, "버스  노선 ", results=()),
            search(at(11, 15, 23, 59, 59), "lee", TRAFFIC, "KTX 정차역", results=()),
            {"at": at(11, 10, 9), "event": "login", "user": "lee", "dept": TRAFFIC},
            {"at": at(11, 12), "event": "upload", "user": "lee", "dept": TRAFFIC},
            {  # one batch of three files is three uploaded documents
                "at": at(11, 12),
                "event": "upload",
                "user": "lee",
                "dept": TRAFFIC,
                "details": {"files": ["a.hwp", "b.pdf", "c.docx"], "bytes": 10},
            },
            # week 47 (11-16 .. 11-22): the first second of Monday KST belongs here
            search(at(11, 16, 0, 0, 0), "park", WELFARE, "ktx  정차역", results=()),
            search(at(11, 17), "park", WELFARE, "기초생활수급자"),
            search(at(11, 18), "jung", WELFARE, "긴급복지 지원"),
            search(at(11, 19), "jung", WELFARE, "긴급복지 지원"),
            {  # a malformed result list is neither an error nor a zero-result search
                "at": at(11, 19),
                "event": "search",
                "user": "jung",
                "dept": WELFARE,
                "details": {"query": "이상한 기록", "results": "c:1:0"},
            },
            {"at": at(11, 17, 9), "event": "login", "user": "park", "dept": WELFARE},
            {"at": at(11, 18, 9), "event": "login", "user": "jung", "dept": WELFARE},
            # failures are not use
            {
                "at": at(11, 18, 8),
                "event": "login",
                "user": "jung",
                "dept": WELFARE,
                "outcome": "failed",
            },
            {"at": at(11, 18, 8), "event": "login_failed", "user": "jung", "dept": WELFARE},
            # week 48 (11-23 .. 11-29): later features' events
            search(at(11, 24), "kim", TRAFFIC, "주차장 부지"),
            {"at": at(11, 24), "event": "chat.turn", "user": "kim", "dept": TRAFFIC},
            {"at": at(11, 25), "event": "chat.turn", "user": "kim", "dept": TRAFFIC},
            {"at": at(11, 26), "event": "registry.edit", "user": "lee", "dept": TRAFFIC},
            {"at": at(11, 26), "event": "admin.user_create", "user": "root", "dept": None},
            search(at(11, 27), "root", None, "예산 한도", results=()),
            # outside the three weeks: before and after
            search(at(11, 8, 23, 59, 59), "lee", TRAFFIC, "범위 밖 이전", results=()),
            search(at(11, 30, 0, 0, 0), "lee", TRAFFIC, "범위 밖 이후", results=()),
        ],
    )
    return store


def test_measure_names():
    assert measure_of("search") == "searches"
    assert measure_of("chat.turn") == "chat_turns"
    assert measure_of("chat_turn") == "chat_turns"
    assert measure_of("registry.edit") == "registry_edits"
    assert measure_of("upload") == "uploads"
    assert files_in({"files": ["a", "b"]}) == 2 and files_in({}) == 1 and files_in(None) == 1
    assert measure_of("login") == "logins"
    assert measure_of("login_failed") is None
    assert measure_of("searchlight") is None
    assert measure_of("admin.user_create") is None


def test_iso_weeks_across_new_year():
    assert iso_week(date(2026, 12, 31)) == "2026-W53"
    assert iso_week(date(2027, 1, 4)) == "2027-W01"
    assert normalize_query(" KTX\u3000 정차역 ") == "ktx 정차역"


def test_weekly_totals_exact(events):
    r = usage_report(events, weeks=3, until=date(2026, 11, 25), tz=KST)
    assert (r.date_from, r.date_to) == (date(2026, 11, 9), date(2026, 11, 29))
    assert [w.week for w in r.weeks] == ["2026-W46", "2026-W47", "2026-W48"]
    w46, w47, w48 = r.weeks
    assert (w46.searches, w46.logins, w46.uploads, w46.active_users) == (3, 1, 4, 1)
    assert (w47.searches, w47.logins, w47.uploads, w47.active_users) == (5, 2, 0, 2)
    assert (w48.searches, w48.chat_turns, w48.registry_edits) == (2, 2, 1)
    assert w48.active_users == 3  # kim, lee, root


def test_department_totals_and_cells(events):
    r = usage_report(events, weeks=3, until=date(2026, 11, 25), tz=KST)
    depts = {d.department: d for d in r.departments}
    assert set(depts) == {TRAFFIC, WELFARE, NO_DEPARTMENT}
    t = depts[TRAFFIC]
    assert (t.searches, t.uploads, t.logins, t.chat_turns, t.registry_edits) == (4, 4, 1, 2, 1)
    assert t.active_users == 2  # lee and kim, counted once over the period
    w = depts[WELFARE]
    assert (w.searches, w.logins, w.active_users) == (5, 2, 2)
    assert r.departments[0].department in {TRAFFIC, WELFARE}  # most searches first
    cells = {(c.week, c.department): c for c in r.cells}
    assert cells[("2026-W46", TRAFFIC)].searches == 3
    assert cells[("2026-W48", TRAFFIC)].searches == 1
    assert ("2026-W47", TRAFFIC) not in cells
    assert cells[("2026-W47", WELFARE)].active_users == 2


def test_department_filter(events):
    r = usage_report(events, weeks=3, until=date(2026, 11, 25), department=WELFARE, tz=KST)
    assert [d.department for d in r.departments] == [WELFARE]
    assert [w.searches for w in r.weeks] == [0, 5, 0]
    assert [z.normalized for z in r.zero_result_queries] == ["ktx 정차역"]


def test_zero_result_searches_grouped_newest_first(events):
    r = usage_report(events, weeks=3, until=date(2026, 11, 25), tz=KST)
    zero = r.zero_result_queries
    assert [z.normalized for z in zero] == ["예산 한도", "ktx 정차역", "버스 노선"]
    ktx = zero[1]
    assert ktx.count == 2
    assert ktx.departments == {TRAFFIC: 1, WELFARE: 1}
    assert ktx.query == "ktx  정차역"  # the latest spelling as typed (NFC, trimmed)
    assert ktx.first_at == at(11, 15, 23, 59, 59)
    assert ktx.last_at == at(11, 16, 0, 0, 0)
    assert zero[2].count == 1  # "버스 노선" with results is not a zero-result search
    assert zero[0].departments == {NO_DEPARTMENT: 1}


def test_empty_log_gives_zero_weeks(store):
    r = usage_report(store, weeks=4, until=date(2026, 11, 25), tz=KST)
    assert len(r.weeks) == 4 and all(w.searches == 0 for w in r.weeks)
    assert r.departments == [] and r.cells == [] and r.zero_result_queries == []
