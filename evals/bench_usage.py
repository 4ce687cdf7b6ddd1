"""How the audit-log surfaces scale: AI 활용 현황 aggregates, the audit page query and the
CSV export over a large ``audit_events`` table.

Fills a throw-away SQLite database (WAL, as the app runs) — or PostgreSQL with ``--postgres``
— with ``--n`` events over the last 52 weeks: 30 departments, 2,000 users, 80 % searches
(15 % of them with no result, 400 distinct query texts), logins, uploads with file lists,
chat turns. Then times, best of ``--repeat``:

- ``usage_report`` for 12 and 52 weeks (what /usage and GET /api/v1/usage run);
- the audit page: one page of 50 newest events + the total count, unfiltered and filtered
  by department + event;
- the full CSV export (rows per second, bytes).

Run:  .venv/bin/python -m evals.bench_usage [--n 200000] [--postgres]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from control_tower.audit import AuditFilter, AuditLog
from control_tower.audit_export import csv_lines
from control_tower.domain import now
from control_tower.store import Store
from control_tower.store.models import AuditEventRow
from control_tower.store.store import engine_url
from control_tower.usage import usage_report

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def fill(store: Store, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    depts = [f"부서{i:02d}과" for i in range(30)]
    queries = [f"검색어 {i} 관련 규정" for i in range(400)]
    end = now()
    batch = []
    for i in range(n):
        r = rng.random()
        dept = rng.choice(depts)
        if r < 0.8:
            hits = (
                [] if rng.random() < 0.15 else [f"d{rng.randint(1, 9999)}:1:{k}" for k in range(5)]
            )
            q = rng.choice(queries)
            event, target, details = "search", q, {"query": q, "results": hits, "k": 10}
        elif r < 0.9:
            event, target, details = "login", None, {}
        elif r < 0.95:
            event, target, details = "upload", "job", {"files": ["a.hwp", "b.pdf"], "bytes": 9}
        else:
            event, target, details = "chat.turn", None, {}
        batch.append(
            {
                "at": end - timedelta(seconds=rng.randint(0, 52 * 7 * 86400)),
                "event": event,
                "surface": "web",
                "username": f"u{rng.randint(1, 2000)}",
                "department": dept,
                "authenticated": True,
                "outcome": "ok",
                "target": target,
                "ip": "10.0.0.1",
                "details": details,
            }
        )
        if len(batch) == 20_000 or i == n - 1:
            with store.begin() as s:
                s.execute(sa.insert(AuditEventRow), batch)
            batch = []


def best(fn, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--postgres", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_usage_"))
    db_name = None
    if args.postgres:
        db_name = f"ct_bench_usage_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(engine_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
        url = f"postgresql://postgres@127.0.0.1:5432/{db_name}"
    else:
        url = f"sqlite:///{tmp / 'bench.db'}"
    store = Store(url)
    try:
        t = time.perf_counter()
        fill(store, args.n)
        took = time.perf_counter() - t
        print(f"backend={store.engine.dialect.name} events={args.n} fill={took:.1f}s")
        for weeks in (12, 52):
            s = best(lambda w=weeks: usage_report(store, weeks=w), args.repeat)
            print(f"usage_report weeks={weeks}: {s * 1000:.0f} ms")
        log = AuditLog(store)
        flt = AuditFilter(department="부서03과", event="search")
        for name, f in (("unfiltered", AuditFilter()), ("dept+event", flt)):
            s = best(lambda f=f: (log.query(f, limit=50), log.count(f)), args.repeat)
            print(f"audit page ({name}): {s * 1000:.0f} ms")
        t = time.perf_counter()
        size = sum(len(chunk) for chunk in csv_lines(store, AuditFilter()))
        s = time.perf_counter() - t
        print(f"csv export: {args.n / s:,.0f} rows/s, {size / 1e6:.1f} MB in {s:.1f} s")
        print("zero-result groups:", len(usage_report(store, weeks=52).zero_result_queries))
    finally:
        store.close()
        if db_name:
            with admin.connect() as c:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}"'))


if __name__ == "__main__":
    main()
