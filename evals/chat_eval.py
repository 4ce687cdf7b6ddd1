"""Chat evaluation: the labeled demo question set, asked of the chat service and of plain RAG.

    ct eval chat --set evals/data/chat --data DIR --json [--mode chat|rag|both] [--limit N]
    ct eval chat --set evals/data/chat --demo --json        # builds a demo data dir first

``--limit N`` takes N questions spread evenly over the kinds (the file is ordered by kind).
With the LLM on, the chat run also replays the exact compose prompts the turns sent straight
to the LLM endpoint at the same concurrency (``raw_llm``): the supervisor's overhead is the
turn's time minus that.

Each question is asked as its demo user. Scores: a gold document among the citations, every
gold value in the answer (spaces and commas ignored; ``{"any": [...]}`` lists equivalent
forms), "not found" on unanswerable questions, and leaks on forbidden ones (a forbidden
document cited, or its distinctive value anywhere in the answer, citations or steps). The
labels live in ``evals/data/chat/questions.json`` only; the code under test never reads them.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import unicodedata
from pathlib import Path

from pydantic import BaseModel, Field

KINDS = ("fact", "aggregate", "cross_department", "roadmap_ideas", "unanswerable", "forbidden")
NOT_FOUND_MARKERS = ("찾지 못", "없습니다", "알 수 없")


class Question(BaseModel):
    id: str
    question: str
    user: str
    kind: str
    gold_docs: list[str] = Field(default_factory=list)
    gold_values: list[str | dict] = Field(default_factory=list)
    forbidden_docs: list[str] = Field(default_factory=list)
    forbidden_values: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)  # unanswerable: terms the corpus lacks


class TurnResult(BaseModel):
    """One answered question, as both the chat service and the baseline report it."""

    answer: str = ""
    cited: list[str] = Field(default_factory=list)  # citation doc ids, in order
    cited_text: list[str] = Field(default_factory=list)
    steps_text: str = ""
    not_found: bool | None = None  # None: judge from the answer text (baseline)
    error: str | None = None
    first_step_s: float | None = None
    first_token_s: float | None = None
    total_s: float = 0.0


def load_questions(set_dir: Path) -> list[Question]:
    path = set_dir / "questions.json" if set_dir.is_dir() else set_dir
    raw = json.loads(path.read_text("utf-8"))
    return [Question.model_validate(q) for q in raw["questions"]]


def spread(questions: list[Question], n: int | None) -> list[Question]:
    """``n`` questions taken round-robin over the kinds (file order within a kind), so a
    shortened run still asks every kind; all of them when ``n`` is None or large enough."""
    if n is None or n >= len(questions):
        return list(questions)
    queues = {
        k: [q for q in questions if q.kind == k] for k in dict.fromkeys(q.kind for q in questions)
    }
    picked: list[Question] = []
    while len(picked) < n:
        for queue in queues.values():
            if queue and len(picked) < n:
                picked.append(queue.pop(0))
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(picked, key=lambda q: order[q.id])


# --- scoring ---------------------------------------------------------------------------
def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s,]", "", text)


def value_present(text: str, value: str | dict) -> bool:
    """A gold value (or any of its forms) in the text, not glued to a preceding digit
    (so "22억" does not match inside "122억")."""
    forms = value["any"] if isinstance(value, dict) else [value]
    hay = norm(text)
    for form in forms:
        needle = norm(form)
        if needle and re.search(r"(?<![0-9.])" + re.escape(needle), hay):
            return True
    return False


def said_not_found(result: TurnResult) -> bool:
    if result.not_found is not None:
        return result.not_found
    return any(m in result.answer for m in NOT_FOUND_MARKERS)


def score(q: Question, r: TurnResult, doc_ids: dict[str, str]) -> dict:
    """Per-question marks; ``doc_ids`` maps store doc ids to demo document keys."""
    keys = [doc_ids.get(d, d) for d in r.cited]
    row: dict = {"id": q.id, "kind": q.kind, "user": q.user, "error": r.error}
    if q.gold_docs:
        row["cited"] = any(k in q.gold_docs for k in keys)
    if q.gold_values:
        row["value"] = all(value_present(r.answer, v) for v in q.gold_values)
    if q.kind == "unanswerable":
        row["not_found"] = said_not_found(r)
    if q.kind == "forbidden":
        row["leak"] = leaked(q, r, keys)
    row.update(first_step_s=r.first_step_s, first_token_s=r.first_token_s, total_s=r.total_s)
    row["answer"] = r.answer[:300]  # for reading the misses
    return row


def leaked(q: Question, r: TurnResult, keys: list[str]) -> bool:
    if any(k in q.forbidden_docs for k in keys):
        return True
    everything = "\n".join([r.answer, *r.cited_text, r.steps_text])
    return any(value_present(everything, v) for v in q.forbidden_values)


def _pct(values: list[float], p: float) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    return round(values[min(len(values) - 1, int(round(p * (len(values) - 1))))], 3)


def summarize(rows: list[dict]) -> dict:
    def rates(part: list[dict]) -> dict:
        out: dict = {"questions": len(part), "errors": sum(1 for r in part if r["error"])}
        for metric in ("cited", "value", "not_found"):
            marks = [r[metric] for r in part if metric in r]
            if marks:
                out[metric] = round(sum(marks) / len(marks), 3)
        leaks = [r["leak"] for r in part if "leak" in r]
        if leaks:
            out["leaks"] = sum(leaks)
        return out

    by_kind = {k: rates([r for r in rows if r["kind"] == k]) for k in KINDS}
    latency = {}
    for name in ("first_step_s", "first_token_s", "total_s"):
        times = [r[name] for r in rows]
        latency[name] = {"p50": _pct(times, 0.5), "p95": _pct(times, 0.95)}
    return {"overall": rates(rows), "by_kind": {k: v for k, v in by_kind.items() if v["questions"]},
            "latency": latency}  # fmt: skip


# --- asking ----------------------------------------------------------------------------
async def ask_chat(service, principal, question: str) -> TurnResult:  # noqa: ANN001
    """One chat turn through ``astream``, timing the first step, first token and done."""
    t0 = time.perf_counter()
    out = TurnResult()
    async for event in service.astream(principal, question, surface="eval"):
        kind, data, at = event["type"], event["data"], round(time.perf_counter() - t0, 3)
        if kind == "step" and out.first_step_s is None:
            out.first_step_s = at
        elif kind == "token" and out.first_token_s is None:
            out.first_token_s = at
        elif kind == "error":
            out.error = f"{data.get('code')}: {data.get('message')}"
        elif kind == "done":
            out.answer = data.get("answer", "")
            out.cited = [c["doc_id"] for c in data.get("citations", [])]
            out.cited_text = [c.get("text", "") for c in data.get("citations", [])]
            out.steps_text = json.dumps(data.get("steps", []), ensure_ascii=False)
            out.not_found = bool(data.get("not_found"))
    out.total_s = round(time.perf_counter() - t0, 3)
    return out


class RecordingModel:
    """Passes ``astream`` through to the real chat model and keeps each prompt it was sent."""

    def __init__(self, model, prompts: list) -> None:  # noqa: ANN001
        self.model, self.prompts = model, prompts

    def astream(self, text, **kwargs):  # noqa: ANN001, ANN003, ANN201
        self.prompts.append((text, kwargs))
        return self.model.astream(text, **kwargs)


async def replay_raw(settings, prompts: list, concurrency: int) -> dict:  # noqa: ANN001
    """The same prompts straight to the LLM endpoint (no graph, no tools), timed per request."""
    from control_tower.llm.client import chat_model

    gate = asyncio.Semaphore(concurrency)

    async def one(text, kwargs) -> dict:  # noqa: ANN001
        model = chat_model(settings, timeout=settings.chat_llm_timeout_s, max_retries=0)
        async with gate:
            t0, first, error = time.perf_counter(), None, None
            try:
                async for chunk in model.astream(text, **kwargs):
                    if first is None and isinstance(chunk.content, str) and chunk.content:
                        first = round(time.perf_counter() - t0, 3)
            except Exception as exc:  # noqa: BLE001 - counted, not raised
                error = type(exc).__name__
            return {"first_token_s": first, "total_s": round(time.perf_counter() - t0, 3),
                    "error": error}  # fmt: skip

    t0 = time.perf_counter()
    rows = await asyncio.gather(*(one(t, kw) for t, kw in prompts))
    out: dict = {"prompts": len(rows), "errors": sum(1 for r in rows if r["error"])}
    for name in ("first_token_s", "total_s"):
        times = [r[name] for r in rows]
        out[name] = {"p50": _pct(times, 0.5), "p95": _pct(times, 0.95)}
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    return out


def doc_keys(store) -> dict[str, str]:  # noqa: ANN001
    """Store doc id → demo document key, by file name (the manifest plan's paths)."""
    from evals.linker_fixture import path_to_key

    by_file = {Path(p).name: k for p, k in path_to_key().items()}
    return {
        r.doc_id: by_file[Path(r.source_path).name]
        for r in store.list_documents()
        if Path(r.source_path).name in by_file
    }


def eval_settings(settings, data_dir: Path, profile: str | None):  # noqa: ANN001, ANN201
    """The caller's settings on ``data_dir`` (its own SQLite unless a server DB is set)."""
    from control_tower.settings import Settings

    fields = settings.model_dump()
    fields["data_dir"] = data_dir
    if str(fields.get("database_url") or "").startswith("sqlite"):
        fields["database_url"] = None
    if profile:
        fields.update(llm_profile=profile, llm_model=None)
    return Settings(_env_file=None, **fields)


async def _run(settings, questions: list[Question], mode: str, concurrency: int) -> dict:  # noqa: ANN001
    from control_tower.accounts import get_user
    from control_tower.chat.service import ChatService, default_model_factory
    from control_tower.retrieval import Retriever
    from control_tower.store import open_store
    from evals.chat_baseline import ask_rag

    store = open_store(settings)
    retriever = Retriever(settings)
    prompts: list = []
    make = default_model_factory(settings)
    service = ChatService(
        settings, store, retriever, model_factory=lambda: RecordingModel(make(), prompts)
    )
    ids = doc_keys(store)
    gate = asyncio.Semaphore(concurrency)

    async def one(q: Question) -> dict:
        user = get_user(store, q.user)
        async with gate:
            if user is None:
                r = TurnResult(error=f"unknown user {q.user}")
            elif mode == "chat":
                r = await ask_chat(service, user.principal(), q.question)
            else:
                r = await ask_rag(settings, retriever, user.principal(), q.question)
        return score(q, r, ids)

    t0 = time.perf_counter()
    rows = await asyncio.gather(*(one(q) for q in questions))
    report = summarize(list(rows))
    report.update(mode=mode, concurrency=concurrency, wall_s=round(time.perf_counter() - t0, 1))
    if prompts:
        report["raw_llm"] = await replay_raw(settings, prompts, concurrency)
    report["rows"] = list(rows)
    return report


def run(settings, data_dir: Path, questions: list[Question], *, mode: str = "chat",  # noqa: ANN001
        profile: str | None = None, concurrency: int = 1) -> dict:  # fmt: skip
    """Ask every question in ``mode`` ("chat" or "rag") against a demo data dir; the report."""
    if mode not in ("chat", "rag"):
        raise ValueError(f"mode must be chat or rag: {mode}")
    s = eval_settings(settings, data_dir, profile)
    report = asyncio.run(_run(s, questions, mode, concurrency))
    report["profile"] = s.llm_profile
    return report
