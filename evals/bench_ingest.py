"""Ingestion throughput by stage, and peak memory, on a folder of real files.

    nice -n 10 .venv/bin/python -m evals.bench_ingest --source ../shared/data/nts_hwp/hwp

Ingests the folder into a fresh temporary data dir (the real pipeline: sandboxed parsing,
chunking, e5 embedding, Chroma + BM25 writes, SQL store), then runs again to time the
"nothing changed" path. Prints a Markdown table and writes JSON with ``--json``.
Stages: detect (format sniffing in the parent), parse (sandboxed worker: detect + parse +
normalize, incl. the pipe round trip), chunk, embed (passage vectors), index_dense (Chroma
upsert + stale cleanup), index_sparse (Kiwi tokenization + SQLite write).
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from control_tower.settings import Settings


def _peak_rss_mb() -> tuple[float, float]:
    """(this process, largest child) peak resident set in MB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main(argv: list[str] | None = None) -> dict:
    repo = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=str(repo.parent / "shared/data/nts_hwp/hwp"))
    ap.add_argument("--models-dir", default=str(repo / "data/models"))
    ap.add_argument("--json", dest="json_out", default=None, help="write results here")
    args = ap.parse_args(argv)

    from ingest.pipeline import IngestStats, ingest_paths

    with tempfile.TemporaryDirectory(prefix="ct-bench-ingest-") as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), models_dir=Path(args.models_dir))
        t0 = time.perf_counter()
        from control_tower.index import open_index
        from control_tower.store import open_store

        store, index = open_store(settings), open_index(settings)
        open_s = time.perf_counter() - t0

        stats = IngestStats()
        t = time.perf_counter()
        report = ingest_paths([args.source], settings, store=store, index=index, stats=stats)
        first_s = time.perf_counter() - t

        t = time.perf_counter()
        again = ingest_paths([args.source], settings, store=store, index=index)
        second_s = time.perf_counter() - t

        t = time.perf_counter()
        index.sparse.snapshot()  # the lazy BM25 build the first search after ingestion pays
        bm25_build_s = time.perf_counter() - t
        own_mb, child_mb = _peak_rss_mb()

    files = report.counts["total"]
    result = {
        "source": args.source,
        "files": files,
        "counts": report.counts,
        "chunks": stats.chunks,
        "chars": stats.chars,
        "megabytes": round(stats.bytes_read / 1048576, 1),
        "open_index_s": round(open_s, 2),
        "first_run_s": round(first_s, 2),
        "files_per_s": round(files / first_s, 2),
        "chunks_per_s": round(stats.chunks / first_s, 2),
        "stage_s": {k: round(v, 2) for k, v in stats.seconds.items()},
        "unchanged_rerun_s": round(second_s, 2),
        "unchanged_counts": again.counts,
        "bm25_first_search_build_s": round(bm25_build_s, 2),
        "peak_rss_mb": round(own_mb),
        "peak_rss_worker_mb": round(child_mb),
    }
    print(_markdown(result))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


def _markdown(r: dict) -> str:
    total = sum(r["stage_s"].values()) or 1.0
    lines = [
        f"files {r['files']} ({r['megabytes']} MB), counts {r['counts']}, chunks {r['chunks']}",
        "",
        "| stage | seconds | share | per file (ms) |",
        "|---|---:|---:|---:|",
    ]
    for k, v in r["stage_s"].items():
        lines.append(f"| {k} | {v:.2f} | {v / total:.0%} | {1000 * v / max(r['files'], 1):.1f} |")
    lines += [
        "",
        f"first run {r['first_run_s']} s = {r['files_per_s']} files/s, "
        f"{r['chunks_per_s']} chunks/s;"
        f" unchanged re-run {r['unchanged_rerun_s']} s; BM25 build on first search "
        f"{r['bm25_first_search_build_s']} s; open index (model load) {r['open_index_s']} s",
        f"peak RSS: pipeline process {r['peak_rss_mb']} MB, "
        f"largest worker {r['peak_rss_worker_mb']} MB",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
