"""LLM serving benchmark: vLLM-CPU vs llama.cpp (llama-cpp-python's OpenAI server).

Same GGUF weights (`ct models prepare` keeps them under models_dir/.cache/gguf; vLLM serves
the bf16 folder converted from them), same prompts, same OpenAI-compatible streaming API.
For each profile and backend it measures:

- time to first token (TTFT) and output tokens/s of one request at a time;
- aggregate output tokens/s and TTFT with 4 requests in flight;
- a few Korean answers (Hangul share, repetition) to weigh speed against quality.

Servers run one at a time so they never compete for the 2 cores. Usage::

    .venv/bin/python -m evals.bench_llm --profiles tiny,small \\
        --llama-python /tmp/llama-venv2/bin/python --out data/bench/llm.json

llama-cpp-python's server does not report `usage` in streams; its output tokens are counted
after the timed run by re-tokenizing the answer with the server's own tokenizer
(`/extras/tokenize/count`), so both backends are compared on real tokens, not on stream chunks
(llama.cpp holds back incomplete UTF-8 pieces, which would undercount Korean text).

`--backends vllm` skips llama.cpp (no second venv needed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, Field

from control_tower.settings import Settings, get_settings
from serving.vllm_launcher import VLLMServer, group_alive

PROMPTS_FILE = Path(__file__).with_name("bench_llm_prompts.json")
HANGUL = re.compile(r"[가-힣]")
LETTER = re.compile(r"[^\W\d_]")


class RequestResult(BaseModel):
    ttft_s: float
    total_s: float
    output_tokens: int
    # "usage" (server-reported), "retokenized" (answer re-tokenized by the same server after
    # the timed run) or "chunks" (one per content delta; only when neither is available)
    token_count_source: str
    finish_reason: str | None = None
    text: str

    @property
    def decode_tok_s(self) -> float:
        gen = self.total_s - self.ttft_s
        return (self.output_tokens - 1) / gen if gen > 0 and self.output_tokens > 1 else 0.0


class RunResult(BaseModel):
    backend: str
    profile: str
    concurrency: int
    requests: int
    wall_s: float
    output_tokens: int
    aggregate_tok_s: float = Field(description="All output tokens / wall time.")
    per_request_tok_s: float = Field(description="Median decode speed of one request.")
    ttft_median_s: float
    ttft_max_s: float
    token_count_source: str
    loadavg_1m_before: float = Field(description="Machine load when the run started.")


class QualitySample(BaseModel):
    backend: str
    profile: str
    prompt: str
    answer: str
    hangul_share: float = Field(description="Hangul syllables / letters.")
    distinct_4gram: float = Field(description="Distinct character 4-grams / all; low = loops.")
    finish_tokens: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- one streaming request ---------------------------------------------------------------
def stream_chat(
    base_url: str, model: str, messages: list[dict], max_tokens: int, extra: dict[str, Any]
) -> RequestResult:
    body = {
        "model": model,
        "messages": messages,
        "max_tokens": max_tokens,
        "temperature": 0.0,
        "stream": True,
        "stream_options": {"include_usage": True},
        **extra,
    }
    started = time.perf_counter()
    ttft = None
    chunks = 0
    usage_tokens = None
    finish_reason = None
    parts: list[str] = []
    with httpx.stream("POST", f"{base_url}/chat/completions", json=body, timeout=600) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            data = json.loads(line[6:])
            if data.get("usage"):
                usage_tokens = data["usage"].get("completion_tokens")
            for choice in data.get("choices") or []:
                finish_reason = choice.get("finish_reason") or finish_reason
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    if ttft is None:
                        ttft = time.perf_counter() - started
                    chunks += 1
                    parts.append(piece)
    total = time.perf_counter() - started
    return RequestResult(
        ttft_s=ttft if ttft is not None else total,
        total_s=total,
        output_tokens=usage_tokens if usage_tokens else chunks,
        token_count_source="usage" if usage_tokens else "chunks",
        finish_reason=finish_reason,
        text="".join(parts),
    )


TokenCounter = Callable[[str], int]


def llamacpp_token_counter(base_url: str, model: str) -> TokenCounter:
    """Count tokens of a text with llama-cpp-python's own tokenizer (its `/extras` API)."""
    root = base_url.removesuffix("/v1")

    def count(text: str) -> int:
        if not text:
            return 0
        r = httpx.post(
            f"{root}/extras/tokenize/count", json={"input": text, "model": model}, timeout=60
        )
        r.raise_for_status()
        return int(r.json()["count"])

    return count


def recount(result: RequestResult, counter: TokenCounter | None) -> RequestResult:
    """Replace a chunk count by a real token count; called outside any timed section."""
    if counter is None or result.token_count_source != "chunks":
        return result
    return result.model_copy(
        update={"output_tokens": counter(result.text), "token_count_source": "retokenized"}
    )


def run_concurrent(
    backend: str,
    profile: str,
    base_url: str,
    model: str,
    prompts: list[list[dict]],
    concurrency: int,
    max_tokens: int,
    extra: dict[str, Any],
    counter: TokenCounter | None = None,
) -> RunResult:
    results: list[RequestResult | None] = [None] * len(prompts)
    load_before = os.getloadavg()[0]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results[i] = stream_chat(base_url, model, prompts[i], max_tokens, extra)
        except BaseException as exc:  # reported after the batch; never silently dropped
            errors.append(exc)

    started = time.perf_counter()
    for batch_start in range(0, len(prompts), concurrency):
        threads = [
            threading.Thread(target=work, args=(i,), daemon=True)
            for i in range(batch_start, min(batch_start + concurrency, len(prompts)))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    done = [recount(r, counter) for r in results if r is not None]
    tokens = sum(r.output_tokens for r in done)
    return RunResult(
        backend=backend,
        profile=profile,
        concurrency=concurrency,
        requests=len(done),
        wall_s=round(wall, 2),
        output_tokens=tokens,
        aggregate_tok_s=round(tokens / wall, 2),
        per_request_tok_s=round(statistics.median(r.decode_tok_s for r in done), 2),
        ttft_median_s=round(statistics.median(r.ttft_s for r in done), 3),
        ttft_max_s=round(max(r.ttft_s for r in done), 3),
        token_count_source=",".join(sorted({r.token_count_source for r in done})),
        loadavg_1m_before=round(load_before, 2),
    )


def quality_sample(backend: str, profile: str, prompt: str, result: RequestResult) -> QualitySample:
    text = result.text.strip()
    letters = LETTER.findall(text)
    grams = [text[i : i + 4] for i in range(max(len(text) - 3, 0))]
    return QualitySample(
        backend=backend,
        profile=profile,
        prompt=prompt,
        answer=text,
        hangul_share=round(len(HANGUL.findall(text)) / len(letters), 3) if letters else 0.0,
        distinct_4gram=round(len(set(grams)) / len(grams), 3) if grams else 0.0,
        finish_tokens=result.output_tokens,
    )


# --- llama.cpp server ------------------------------------------------------------------------
class LlamaCppServer:
    """llama-cpp-python's OpenAI server in its own process group (same hygiene as vLLM's)."""

    def __init__(
        self, python: Path, gguf: Path, alias: str, port: int, log: Path, threads: int
    ) -> None:
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.alias = alias
        self.log = log
        self.cmd = [
            str(python), "-m", "llama_cpp.server",
            "--model", str(gguf), "--model_alias", alias,
            "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", "8192",
            "--n_threads", str(threads),
            "--n_threads_batch", str(threads),
            # The default (True) makes every new request cancel the one being streamed: with
            # 4 in flight, 3 answers would end early and the throughput would be fiction.
            "--interrupt_requests", "False",
        ]  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LlamaCppServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:  # __exit__ is not called when __enter__ raises (Ctrl-C included): clean up here
            self._wait_ready(timeout_s=300)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited; see {self.log}")
            with contextlib.suppress(httpx.HTTPError):
                r = httpx.get(f"{self.base_url}/models", timeout=2)
                if r.status_code == 200:
                    return
            time.sleep(1)
        raise RuntimeError(f"llama.cpp server not ready in {timeout_s:.0f} s; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is None:
            return
        pgid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        while group_alive(pgid):
            time.sleep(0.2)
        self.proc = None


def gguf_path(settings: Settings, profile: str) -> Path:
    from control_tower.models.catalog import ARTEFACTS

    return settings.models_dir / ".cache" / "gguf" / ARTEFACTS[profile].gguf_name


# --- one backend x profile ---------------------------------------------------------------------
def bench_endpoint(
    backend: str,
    profile: str,
    base_url: str,
    model: str,
    prompts: dict,
    max_tokens: int,
    rounds: int,
    extra: dict[str, Any],
    quality: bool = True,
    counter: TokenCounter | None = None,
) -> tuple[list[RunResult], list[QualitySample]]:
    def msgs(text: str) -> list[dict]:
        return [
            {"role": "system", "content": prompts["system"]},
            {"role": "user", "content": text},
        ]

    # Warm-up: first-request costs (graph setup, prompt cache) are not steady-state speed.
    stream_chat(base_url, model, msgs("안녕하세요."), 8, extra)
    speed = [msgs(p) for p in prompts["speed"]]
    runs = [
        run_concurrent(
            backend, profile, base_url, model, speed[:rounds], 1, max_tokens, extra, counter
        ),
        run_concurrent(
            backend, profile, base_url, model, (speed * rounds)[: 4 * rounds], 4,
            max_tokens, extra, counter,
        ),
    ]  # fmt: skip
    samples = [
        quality_sample(
            backend,
            profile,
            q,
            recount(stream_chat(base_url, model, msgs(q), 160, extra), counter),
        )
        for q in (prompts["quality"] if quality else [])
    ]
    for r in runs:
        print(
            f"  {backend:9} {profile:6} c={r.concurrency}: {r.aggregate_tok_s:6.2f} tok/s total, "
            f"{r.per_request_tok_s:6.2f} tok/s per request, TTFT median {r.ttft_median_s:.2f} s",
            flush=True,
        )
    return runs, samples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profiles", default="tiny,small")
    ap.add_argument("--backends", default="vllm,llamacpp")
    ap.add_argument("--llama-python", type=Path, default=Path("/tmp/llama-venv2/bin/python"))
    ap.add_argument(
        "--llama-threads",
        type=int,
        default=os.cpu_count() or 2,
        help="llama.cpp threads; on a loaded machine 1 can beat all cores (OpenMP barriers)",
    )
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=2, help="requests at c=1; batches at c=4")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--no-quality", action="store_true", help="skip the Korean answer samples")
    args = ap.parse_args(argv)

    settings = get_settings()
    prompts = json.loads(PROMPTS_FILE.read_text("utf-8"))
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    profiles = [p.strip() for p in args.profiles.split(",") if p.strip()]
    runs: list[RunResult] = []
    samples: list[QualitySample] = []
    load_before = os.getloadavg()
    started = time.perf_counter()
    for profile in profiles:
        for backend in backends:
            port = _free_port()
            t0 = time.perf_counter()
            if backend == "vllm":
                server_cm: Any = VLLMServer(settings, profile, port)
                extra = {"repetition_penalty": settings.llm_repetition_penalty}
            elif backend == "llamacpp":
                server_cm = LlamaCppServer(
                    args.llama_python,
                    gguf_path(settings, profile),
                    profile,
                    port,
                    settings.logs_dir / f"llamacpp-{profile}-{port}.log",
                    args.llama_threads,
                )
                extra = {"repeat_penalty": settings.llm_repetition_penalty}
            else:
                ap.error(f"unknown backend {backend}")
            with server_cm as server:
                print(f"{backend} {profile}: ready in {time.perf_counter() - t0:.0f} s", flush=True)
                # vLLM reports usage in streams; llama-cpp-python's answers are re-tokenized.
                counter = (
                    llamacpp_token_counter(server.base_url, profile)
                    if backend == "llamacpp"
                    else None
                )
                r, s = bench_endpoint(
                    backend, profile, server.base_url, profile, prompts,
                    args.max_tokens, args.rounds, extra, not args.no_quality, counter,
                )  # fmt: skip
                runs += r
                samples += s

    def find(backend: str, profile: str, c: int) -> RunResult | None:
        return next(
            (r for r in runs if (r.backend, r.profile, r.concurrency) == (backend, profile, c)),
            None,
        )

    ratios = []
    for profile in profiles:
        for c in (1, 4):
            v, ll = find("vllm", profile, c), find("llamacpp", profile, c)
            if v and ll:
                ratios.append(
                    {
                        "profile": profile,
                        "concurrency": c,
                        "vllm_over_llamacpp_tok_s": round(
                            v.aggregate_tok_s / ll.aggregate_tok_s, 2
                        ),
                        "vllm_over_llamacpp_ttft": round(v.ttft_median_s / ll.ttft_median_s, 2),
                    }
                )
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "command": " ".join([sys.executable, "-m", "evals.bench_llm", *(argv or sys.argv[1:])]),
        "max_tokens": args.max_tokens,
        "seconds": round(time.perf_counter() - started, 1),
        "runs": [r.model_dump() for r in runs],
        "ratios": ratios,
        "quality": [s.model_dump() for s in samples],
    }
    print(json.dumps({"ratios": ratios}, ensure_ascii=False, indent=2))
    for s in samples:
        print(f"[{s.backend}/{s.profile}] {s.prompt}\n  → {s.answer[:300]!r}\n"
              f"  hangul {s.hangul_share}, distinct-4gram {s.distinct_4gram}")  # fmt: skip
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
        print(f"written: {args.out}")
    print(f"reproduce: {report['command']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
