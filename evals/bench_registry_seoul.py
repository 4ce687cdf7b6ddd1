"""Seoul 2018 budget (4,023 projects): wall time and peak memory of import → build → links.

Each step runs as its own ``ct`` subprocess in a fresh temporary data dir, pinned to two CPUs
(the target machine), with the process tree's RSS polled by psutil every 20 ms (children
included — the build may fork workers); ``getrusage(RUSAGE_CHILDREN)`` is printed next to it
as a cross-check (it is a running maximum over every child so far, so only an upper bound).

    python -m evals.bench_registry_seoul [--file projects.jsonl] [--cpus 2] [--keep DIR]
    python -m evals.bench_registry_seoul --in-process   # the importer alone, no store

Prints Markdown rows for docs/BENCHMARKS.md. No LLM: the build runs with ``--no-llm`` (link
rationales are written lazily, for the links a user opens).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from evals.registry_eval import REPO, ct_env, ensure_admin

SEOUL = REPO.parent / "shared" / "data" / "seoul_budget_2018" / "projects.jsonl"
POLL_S = 0.02


def _tree_rss(proc: psutil.Process) -> int:
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def measure(args: list[str], data_dir: Path, cpus: set[int] | None) -> dict:
    """Run ``ct ARGS``; wall seconds, peak tree RSS (MB), stdout JSON when it is JSON."""
    ct = REPO / ".venv" / "bin" / "ct"

    def pin() -> None:
        if cpus:
            os.sched_setaffinity(0, cpus)

    start = time.perf_counter()
    popen = subprocess.Popen(
        [str(ct), *args],
        env=ct_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=pin,
    )
    peak = [0]
    done = threading.Event()

    def poll() -> None:
        proc = psutil.Process(popen.pid)
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc))
            done.wait(POLL_S)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    out, err = popen.communicate()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    if popen.returncode != 0:
        raise RuntimeError(f"ct {' '.join(args)} failed ({popen.returncode}):\n{err[-2000:]}")
    try:
        parsed = json.loads(out)
    except json.JSONDecodeError:
        parsed = None
    children_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB → MiB
    return {
        "step": " ".join(Path(a).name if "/" in a else a for a in args),
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak[0] / 2**20, 1),
        "rusage_children_max_mb": round(children_max, 1),
        "output": parsed,
    }


def _summary(step: dict) -> str:
    out = step["output"]
    if not isinstance(out, dict):
        return ""
    if isinstance(out.get("links"), list):
        return f"{len(out['links'])} links, {len(out.get('clusters', []))} clusters"
    keys = ("imported", "rows", "cards", "created", "updated", "unchanged", "links", "seconds")
    return ", ".join(f"{k} {out[k]}" for k in keys if k in out)


def run_commands(path: Path, data_dir: Path, cpus: set[int] | None) -> list[dict]:
    ensure_admin(data_dir)
    steps = [
        ["registry", "import", str(path), "--mapping", "seoul_budget_2018", "--json"],
        ["registry", "build", "--no-llm", "--json"],
        ["links", "--json", "--user", "admin", "--top", "50"],
    ]
    return [measure(s, data_dir, cpus) for s in steps]


def run_in_process(path: Path) -> list[dict]:
    """The importer alone (no store): what `ct registry import` costs before persisting."""
    from control_tower.registry.importer import import_file

    proc = psutil.Process()
    before = proc.memory_info().rss
    start = time.perf_counter()
    result = import_file(path, "seoul_budget_2018", import_id="bench")
    seconds = time.perf_counter() - start
    return [
        {
            "step": "importer.import_file (in-process)",
            "seconds": round(seconds, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_growth_mb": round((proc.memory_info().rss - before) / 2**20, 1),
            "output": {
                "rows": result.rows,
                "imported": len(result.mentions),
                "skipped": len(result.skipped_rows),
            },
        }
    ]


def markdown(steps: list[dict], cpus: set[int] | None) -> str:
    cores = len(cpus) if cpus else os.cpu_count()
    lines = [
        f"Seoul 2018 budget, {cores} cores, `--no-llm`:",
        "",
        "| step | wall (s) | peak RSS (MB) | result |",
        "|---|---|---|---|",
    ]
    for s in steps:
        lines.append(
            f"| `{s['step']}` | {s['seconds']:.2f} | {s['peak_rss_mb']:.0f} | {_summary(s)} |"
        )
    if len(steps) > 1:
        total = sum(s["seconds"] for s in steps)
        peak = max(s["peak_rss_mb"] for s in steps)
        lines.append(f"| **total** | **{total:.2f}** | **{peak:.0f}** (max) | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", type=Path, default=SEOUL)
    ap.add_argument("--cpus", type=int, default=2, help="pin each step to this many CPUs (0: all)")
    ap.add_argument("--keep", type=Path, help="use (and keep) this data dir instead of a temp one")
    ap.add_argument("--in-process", action="store_true", help="time the importer alone")
    ap.add_argument("--out", type=Path, help="write the measurements as JSON here")
    args = ap.parse_args(argv)
    if not args.file.is_file():
        print(f"Seoul file not found: {args.file}", file=sys.stderr)
        return 2
    available = sorted(os.sched_getaffinity(0))
    cpus = set(available[: args.cpus]) if args.cpus else None
    if args.in_process:
        steps = run_in_process(args.file)
    else:
        data_dir = args.keep or Path(tempfile.mkdtemp(prefix="ct-bench-seoul-"))
        try:
            steps = run_commands(args.file.resolve(), data_dir.resolve(), cpus)
        finally:
            if not args.keep:
                shutil.rmtree(data_dir, ignore_errors=True)
    print(markdown(steps, cpus))
    if args.out:
        args.out.write_text(json.dumps(steps, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
