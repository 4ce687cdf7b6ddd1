"""The audit log as CSV for auditors and spreadsheets, streamed page by page.

Why a module of its own: the export must hold for a year of events without loading them (it
walks the table newest first by keyset — ``(at, id)`` below the last row sent — so concurrent
writes neither shift nor repeat rows), and it must open correctly in Excel on a Korean desktop
(UTF-8 with BOM) without turning typed text into formulas (cells starting with ``= + - @`` get
a leading apostrophe, the OWASP advice against CSV injection — search queries are typed by
anyone).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import tzinfo

from sqlalchemy import and_, or_, select

from control_tower.audit import AuditFilter, apply_filter
from control_tower.domain import now
from control_tower.store.models import AuditEventRow

COLUMNS = ["at", "event", "outcome", "username", "department", "surface", "target", "ip", "details"]
BOM = "\ufeff"
PAGE = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def iter_events(store, flt: AuditFilter, *, page: int = PAGE) -> Iterator:  # noqa: ANN001
    """Matching rows (``at``, ``event``, … by attribute) newest first, ``page`` rows per short
    read transaction."""
    last: tuple | None = None
    while True:
        q = apply_filter(select(*AuditEventRow.__table__.columns), flt)  # rows, not ORM objects
        if last is not None:
            at, id_ = last
            # ``at <= last`` first: an index range SQLite and PostgreSQL can seek, so each page
            # costs its own rows instead of a scan from the newest event (quadratic export).
            q = q.where(
                AuditEventRow.at <= at,
                or_(AuditEventRow.at < at, and_(AuditEventRow.at == at, AuditEventRow.id < id_)),
            )
        q = q.order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc()).limit(page)
        with store.session() as s:
            rows = list(s.execute(q))
        yield from rows
        if len(rows) < page:
            return
        last = (rows[-1].at, rows[-1].id)


def csv_lines(store, flt: AuditFilter, *, tz: tzinfo | None = None) -> Iterator[bytes]:  # noqa: ANN001
    """UTF-8 (with BOM) CSV: a header, then one line per event; yields about a page at a time."""
    tz = tz or now().tzinfo
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    writer.writerow(COLUMNS)
    n = 0
    for r in iter_events(store, flt):
        writer.writerow(
            [
                r.at.astimezone(tz).isoformat(timespec="seconds"),
                safe_cell(r.event),
                safe_cell(r.outcome),
                safe_cell(r.username),
                safe_cell(r.department),
                safe_cell(r.surface),
                safe_cell(r.target),
                safe_cell(r.ip),
                safe_cell(json.dumps(r.details or {}, ensure_ascii=False, sort_keys=True)),
            ]
        )
        n += 1
        if n % PAGE == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")
