"""Embedding engines side by side: query latency and passage throughput, ONNX Runtime vs torch.

Both engines load the prepared model in one process with the same thread count and are timed
*interleaved* (query by query, block by block, alternating which goes first), so a busy
machine slows both alike. Queries are the 60 Korean search queries of ``evals.bench_search``
(same seed); passages are Seoul 2018 budget project texts (``project_texts``, ≤1,200 chars).
CPU seconds are reported next to wall time: they are not inflated by other processes.

Run:  .venv/bin/python -m evals.bench_embedding [--threads 1] [--queries 60] [--passages 64]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

from control_tower.embeddings import Embedder
from control_tower.settings import get_settings
from evals.bench_search import make_queries, project_texts

ENGINES = ("onnx", "torch")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_queries(embedders: dict[str, Embedder], queries: list[str]) -> dict:
    ms: dict[str, list[float]] = {e: [] for e in embedders}
    for i, q in enumerate(queries):
        order = ENGINES if i % 2 == 0 else ENGINES[::-1]
        for engine in order:
            wall, _ = _timed(lambda e=engine, q=q: embedders[e].embed_query(q))
            ms[engine].append(wall * 1000)
    return {
        engine: {
            "queries": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(_percentile(values, 0.95), 1),
            "mean_ms": round(statistics.fmean(values), 1),
        }
        for engine, values in ms.items()
    }


def bench_passages(embedders: dict[str, Embedder], texts: list[str], block: int) -> dict:
    wall = dict.fromkeys(embedders, 0.0)
    cpu = dict.fromkeys(embedders, 0.0)
    for i, start in enumerate(range(0, len(texts), block)):
        chunk = texts[start : start + block]
        order = ENGINES if i % 2 == 0 else ENGINES[::-1]
        for engine in order:
            w, c = _timed(lambda e=engine, chunk=chunk: embedders[e].embed_documents(chunk))
            wall[engine] += w
            cpu[engine] += c
    return {
        engine: {
            "passages": len(texts),
            "seconds": round(wall[engine], 2),
            "passages_per_s": round(len(texts) / wall[engine], 2),
            "cpu_s": round(cpu[engine], 2),
        }
        for engine in embedders
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--projects", type=Path, default=Path("../shared/data/seoul_budget_2018/projects.jsonl")
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--passages", type=int, default=64)
    parser.add_argument("--block", type=int, default=16, help="passages per interleaved block")
    args = parser.parse_args()

    texts, _, rows = project_texts(args.projects)
    queries = make_queries(rows, random.Random(7), args.queries)
    passages = texts[: args.passages]
    base = get_settings().model_copy(update={"embedding_threads": args.threads})
    embedders, load_s = {}, {}
    for engine in ENGINES:
        settings = base.model_copy(update={"embedding_engine": engine})
        load_s[engine], _ = _timed(
            lambda s=settings, e=engine: embedders.__setitem__(e, Embedder(s))
        )
        for q in queries[:5]:  # warm-up: first calls allocate buffers
            embedders[engine].embed_query(q)
        embedders[engine].embed_documents(passages[:2])

    result = {
        "threads": args.threads,
        "load_s": {e: round(s, 1) for e, s in load_s.items()},
        "query": bench_queries(embedders, queries),
        "passage": bench_passages(embedders, passages, args.block),
        "passage_chars_mean": round(statistics.fmean(len(t) for t in passages)),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
