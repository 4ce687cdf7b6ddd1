"""Parse throughput benchmark: in-process vs sandboxed, and outcomes per reason.

    .venv/bin/python -m ingest.bench_parse ../shared/data/nts_hwp [--workers 1]

Prints one JSON object (files, MB, seconds, files/s, MB/s per mode, counts per outcome).
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path

from ingest.errors import IngestError
from ingest.parsers import parse_file
from ingest.sandbox import SandboxPool


def outcome(r) -> str:
    return r.code if isinstance(r, IngestError) else f"ok:{r.metadata.get('format')}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    files = sorted(p for p in args.folder.rglob("*") if p.is_file() and p.suffix != ".jsonl")
    mb = sum(p.stat().st_size for p in files) / 1e6

    t = time.perf_counter()
    inproc = collections.Counter()
    for p in files:
        try:
            inproc[outcome(parse_file(p))] += 1
        except IngestError as e:
            inproc[e.code] += 1
    t_in = time.perf_counter() - t

    t = time.perf_counter()
    sandboxed = collections.Counter()
    with SandboxPool(timeout_s=120, memory_mb=2048, workers=args.workers) as pool:
        for _, r in pool.map(files):
            sandboxed[outcome(r)] += 1
    t_sb = time.perf_counter() - t

    def rate(seconds: float) -> dict:
        return {
            "seconds": round(seconds, 2),
            "files_per_s": round(len(files) / seconds, 1),
            "mb_per_s": round(mb / seconds, 2),
        }

    print(
        json.dumps(
            {
                "files": len(files),
                "mb": round(mb, 2),
                "in_process": rate(t_in),
                f"sandboxed_{args.workers}w": rate(t_sb),
                "outcomes": dict(sandboxed),
                "same_outcomes": inproc == sandboxed,
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
