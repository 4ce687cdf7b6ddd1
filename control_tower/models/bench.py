"""Embedding speed of the prepared model: chunks/s of ~500 Korean characters and ms per query.

    python -m control_tower.models.bench [--docs ../shared/data/nts_hwp/docs.jsonl] [--n 256]
        [--engines onnx,torch] [--dtypes float32,bfloat16] [--threads 1,2]

Chunks are 500-character windows over real Korean text (the NTS rulings' fields when the file
is given, else the built-in sentences repeated). Prints one JSON object per engine, dtype
(torch only; ONNX is always float32) and thread count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from control_tower.embeddings import Embedder
from control_tower.settings import get_settings

FALLBACK = (
    "포항시는 인공지능 기반 행정 혁신 계획을 수립하고 부서별 사업 제안서를 취합하여 중복 여부를 "
    "검토한다. 시민 안전을 위해 통합관제센터의 영상 분석 기능을 고도화하고, 하천 수위 예측 모델로 "
    "홍수 조기 경보 체계를 구축한다. "
)


def korean_chunks(docs: Path | None, n: int, size: int = 500) -> list[str]:
    text = ""
    if docs and docs.is_file():
        with docs.open(encoding="utf-8") as fh:
            for line in fh:
                fields = json.loads(line).get("fields", {})
                text += " ".join(str(v) for v in fields.values() if v) + " "
                if len(text) > n * size:
                    break
    while len(text) < n * size:
        text += FALLBACK
    return [text[i * size : (i + 1) * size] for i in range(n)]


def run(embedder: Embedder, chunks: list[str], queries: list[str]) -> dict:
    embedder.embed_documents(chunks[:8])  # warm-up
    started, cpu_started = time.perf_counter(), time.process_time()
    embedder.embed_documents(chunks)
    chunk_s = time.perf_counter() - started
    chunk_cpu = time.process_time() - cpu_started
    latencies = []
    for q in queries:
        t = time.perf_counter()
        embedder.embed_query(q)
        latencies.append((time.perf_counter() - t) * 1000)
    return {
        "chunks": len(chunks),
        "chunks_per_s": round(len(chunks) / chunk_s, 1),
        # Wall time on a shared machine is inflated; CPU seconds per chunk are not.
        "cpu_s_per_chunk": round(chunk_cpu / len(chunks), 3),
        "query_ms_p50": round(statistics.median(latencies), 1),
        "query_ms_p95": round(sorted(latencies)[int(0.95 * len(latencies)) - 1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=Path("../shared/data/nts_hwp/docs.jsonl"))
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--engines", default="onnx,torch")
    parser.add_argument("--dtypes", default="float32,bfloat16", help="torch engine only")
    parser.add_argument("--threads", default="1,2", help="thread counts to compare")
    args = parser.parse_args()

    chunks = korean_chunks(args.docs, args.n)
    queries = [c[:30] for c in chunks[:50]]
    base = get_settings()
    for engine in args.engines.split(","):
        dtypes = args.dtypes.split(",") if engine == "torch" else ["float32"]
        for dtype in dtypes:
            for threads in (int(t) for t in args.threads.split(",")):
                settings = base.model_copy(
                    update={
                        "embedding_engine": engine,
                        "embedding_dtype": dtype,
                        "embedding_threads": threads,
                    }
                )
                started = time.perf_counter()
                embedder = Embedder(settings)
                load_s = time.perf_counter() - started
                result = run(embedder, chunks, queries)
                result.update(engine=engine, dtype=dtype, threads=threads, load_s=round(load_s, 1))
                result["load_avg_1m"] = round(os.getloadavg()[0], 1)
                print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
