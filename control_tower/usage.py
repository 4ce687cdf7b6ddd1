"""AI 활용 현황: use by department, ISO week by ISO week, and the searches that found nothing.

Why: the AI division steers the staff AI-training plan from how each department actually uses
the assistant, and from what staff looked for but the documents lack. Everything here is
computed from ``audit_events`` only — counts and the query texts people typed, never document
text — so the dashboard cannot leak a document.

Counting is done in SQL (grouped queries, weeks bucketed with a portable CASE over
precomputed local-time week bounds), so a year of audit rows does not travel to Python.
Event names of later features (chat turns, registry edits) are matched by prefix, so they are
counted as soon as those features write them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, datetime, time, timedelta, tzinfo

from pydantic import BaseModel, Field
from sqlalchemy import case, func, literal, select

from control_tower.domain import nfc, now
from control_tower.store import Store
from control_tower.store.models import AuditEventRow

NO_DEPARTMENT = "(부서 없음)"
MAX_WEEKS = 104
MAX_ZERO_RESULT_GROUPS = 200

# measure -> event-name prefixes ("search" counts "search" and "search.*" / "search_*").
MEASURES: dict[str, tuple[str, ...]] = {
    "searches": ("search",),
    "uploads": ("upload", "document.upload", "document_upload", "documents.upload"),
    "logins": ("login",),
    "chat_turns": ("chat",),
    "registry_edits": ("registry_edit", "registry.edit"),
}
MEASURE_LABELS = {
    "searches": "검색",
    "uploads": "업로드 문서",
    "logins": "로그인",
    "active_users": "활동 사용자",
    "chat_turns": "대화",
    "registry_edits": "사업 카드 수정",
}
# Event names that look like a measure's prefix but are not a use of it.
_NOT_USE = {"login_failed", "login.failed", "login_locked", "login.locked"}


class UsageCounts(BaseModel):
    searches: int = 0
    uploads: int = 0
    logins: int = 0
    active_users: int = 0
    chat_turns: int = 0
    registry_edits: int = 0


class UsageCell(UsageCounts):
    week: str  # ISO week, "2026-W48"
    department: str


class WeekTotal(UsageCounts):
    week: str
    week_start: date


class DepartmentTotal(UsageCounts):
    department: str


class ZeroResultQuery(BaseModel):
    query: str  # the most recent spelling staff typed
    normalized: str
    count: int
    departments: dict[str, int]  # department -> how many times
    first_at: datetime
    last_at: datetime


class UsageReport(BaseModel):
    date_from: date  # Monday of the first week
    date_to: date  # Sunday of the last week
    weeks: list[WeekTotal]  # oldest first, every week present (zeros included)
    departments: list[DepartmentTotal]  # totals over the period, most searches first
    cells: list[UsageCell]  # department x week, only non-empty ones
    zero_result_queries: list[ZeroResultQuery] = Field(default_factory=list)  # newest first


def measure_of(event: str) -> str | None:
    """Which dashboard measure an audit event name counts towards (None: not counted)."""
    if event in _NOT_USE:
        return None
    for measure, prefixes in MEASURES.items():
        for p in prefixes:
            if event == p or event.startswith((p + ".", p + "_")):
                return measure
    return None


def files_in(details: dict | None) -> int:
    """Documents one upload event stands for: its ``files`` list (one batch), else 1."""
    files = (details or {}).get("files")
    return len(files) if isinstance(files, list) else 1


def iso_week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def normalize_query(text: str) -> str:
    """Group spellings of one need: NFC, case-folded, inner whitespace collapsed."""
    return re.sub(r"\s+", " ", nfc(text)).strip().casefold()


def week_bounds(weeks: int, until: date, tz: tzinfo) -> list[datetime]:
    """``weeks + 1`` local-midnight Mondays: bucket i is [bounds[i], bounds[i+1])."""
    last_monday = until - timedelta(days=until.weekday())
    first = last_monday - timedelta(weeks=weeks - 1)
    return [datetime.combine(first + timedelta(weeks=i), time(), tz) for i in range(weeks + 1)]


def _week_bucket(bounds: list[datetime], lo: int, hi: int):  # noqa: ANN202
    """SQL for "which week [lo, hi) holds ``at``" as a balanced CASE tree: about log2(weeks)
    comparisons per row instead of one per week (a year: 6 instead of 26 on average)."""
    if hi - lo == 1:
        return literal(lo)
    mid = (lo + hi) // 2
    return case(
        (AuditEventRow.at < bounds[mid], _week_bucket(bounds, lo, mid)),
        else_=_week_bucket(bounds, mid, hi),
    )


def usage_report(
    store: Store,
    *,
    weeks: int = 12,
    until: date | None = None,
    department: str | None = None,
    tz: tzinfo | None = None,
) -> UsageReport:
    weeks = max(1, min(weeks, MAX_WEEKS))
    tz = tz or now().tzinfo
    until = until or now().astimezone(tz).date()
    bounds = week_bounds(weeks, until, tz)
    labels = [iso_week(b.date()) for b in bounds[:-1]]
    bucket = _week_bucket(bounds, 0, weeks)
    where = [
        AuditEventRow.at >= bounds[0],
        AuditEventRow.at < bounds[-1],
        AuditEventRow.outcome == "ok",
    ]
    if department:
        where.append(AuditEventRow.department == nfc(department))

    cells: dict[tuple[int, str], UsageCell] = {}

    def cell(i: int, dept: str | None) -> UsageCell:
        key = (i, dept or NO_DEPARTMENT)
        if key not in cells:
            cells[key] = UsageCell(week=labels[i], department=key[1])
        return cells[key]

    # Bucket in a subquery and group by its column: PostgreSQL refuses a GROUP BY on a CASE
    # whose bound parameters differ from the SELECT's (they are separate parameters to it).
    rows = (
        select(
            bucket.label("wk"),
            AuditEventRow.department,
            AuditEventRow.event,
            AuditEventRow.username,
            AuditEventRow.authenticated,
        )
        .where(*where)
        .subquery()
    )
    with store.session() as s:
        counted = select(rows.c.wk, rows.c.department, rows.c.event, func.count())
        upload_events: set[str] = set()
        for i, dept, event, n in s.execute(
            counted.group_by(rows.c.wk, rows.c.department, rows.c.event)
        ):
            measure = measure_of(event)
            if measure == "uploads":
                upload_events.add(event)  # counted per file below, not per batch
            elif measure and i >= 0:
                c = cell(i, dept)
                setattr(c, measure, getattr(c, measure) + n)
        if upload_events:  # few rows (one per batch): read their file lists
            q = select(AuditEventRow.at, AuditEventRow.department, AuditEventRow.details)
            for at, dept, details in s.execute(
                q.where(*where, AuditEventRow.event.in_(sorted(upload_events)))
            ):
                i = bisect_right(bounds, at) - 1
                if 0 <= i < weeks:
                    cell(i, dept).uploads += files_in(details)
        active = select(rows.c.wk, rows.c.department, func.count(rows.c.username.distinct())).where(
            rows.c.authenticated.is_(True)
        )
        for i, dept, n in s.execute(active.group_by(rows.c.wk, rows.c.department)):
            if i >= 0:
                cell(i, dept).active_users = n
        # distinct people do not add up over weeks: count them once over the whole period
        period_active = dict(
            s.execute(
                select(AuditEventRow.department, func.count(AuditEventRow.username.distinct()))
                .where(*where, AuditEventRow.authenticated.is_(True))
                .group_by(AuditEventRow.department)
            ).all()
        )
        zero = _zero_result_queries(s, where)

    fields = list(UsageCounts.model_fields)
    week_totals = [WeekTotal(week=labels[i], week_start=bounds[i].date()) for i in range(weeks)]
    dept_totals: dict[str, DepartmentTotal] = {}
    for (i, dept), c in cells.items():
        d = dept_totals.setdefault(dept, DepartmentTotal(department=dept))
        for f in fields:
            setattr(week_totals[i], f, getattr(week_totals[i], f) + getattr(c, f))
            if f != "active_users":
                setattr(d, f, getattr(d, f) + getattr(c, f))
    for dept, n in period_active.items():
        if (dept or NO_DEPARTMENT) in dept_totals:
            dept_totals[dept or NO_DEPARTMENT].active_users = n
    return UsageReport(
        date_from=bounds[0].date(),
        date_to=bounds[-1].date() - timedelta(days=1),
        weeks=week_totals,
        departments=sorted(dept_totals.values(), key=lambda d: (-d.searches, d.department)),
        cells=sorted(cells.values(), key=lambda c: (c.week, c.department)),
        zero_result_queries=zero,
    )


def _zero_result_queries(s, where: list) -> list[ZeroResultQuery]:  # noqa: ANN001
    """Searches whose audited result list was empty, grouped by normalized query text."""
    results = _array_length(s, "results")
    query_text = AuditEventRow.details["query"].as_string()
    q = (
        select(AuditEventRow.at, AuditEventRow.department, query_text)
        .where(*where, AuditEventRow.event == "search", results == 0)
        .order_by(AuditEventRow.at.desc())
    )
    groups: dict[str, ZeroResultQuery] = {}
    for at, dept, text in s.execute(q):
        if not text or not text.strip():
            continue
        key = normalize_query(text)
        dept = dept or NO_DEPARTMENT
        g = groups.get(key)
        if g is None:  # rows come newest first: the first one seen is the latest spelling
            g = groups[key] = ZeroResultQuery(
                query=nfc(text).strip(),
                normalized=key,
                count=0,
                departments={},
                first_at=at,
                last_at=at,
            )
        g.count += 1
        g.first_at = at
        g.departments[dept] = g.departments.get(dept, 0) + 1
    return list(groups.values())[:MAX_ZERO_RESULT_GROUPS]


def _array_length(s, key: str):  # noqa: ANN001, ANN202
    """Length of ``details[key]`` when it is a JSON array, else NULL (never an SQL error:
    PostgreSQL's json_array_length fails on a scalar, SQLite's answers 0 for one)."""
    if s.get_bind().dialect.name == "postgresql":
        value = AuditEventRow.details[key]
        return case((func.json_typeof(value) == "array", func.json_array_length(value)), else_=None)
    path = f'$."{key}"'
    return case(
        (
            func.json_type(AuditEventRow.details, path) == "array",
            func.json_array_length(AuditEventRow.details, path),
        ),
        else_=None,
    )
