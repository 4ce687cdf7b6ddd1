"""Section generation time: draft every roadmap section on the configured LLM profile.

Runs against an already running server (``ct llm serve`` or ``CT_LLM_URL``); the LLM
settings come from the environment as usual. For each concurrency level it drafts all
sections of a structure and prints, per section, the seconds, the method (llm/template),
the number of LLM requests and, for a template, why; then the wall-clock total. With
concurrency 1 the per-section seconds are the section's own latency. Usage::

    CT_LLM_PROFILE=tiny CT_LLM_PORT=8011 .venv/bin/python -m evals.bench_roadmap_sections
    ... -m evals.bench_roadmap_sections --concurrency 1,4 --structure draft.json --out r.json

Without ``--structure`` it uses the hand-made test structure (2026–2030, six initiatives).
"""

from __future__ import annotations

import argparse
import json
import platform
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from control_tower.roadmap.drafting import StructuredSectionWriter, draft_sections
from control_tower.roadmap.types import RoadmapStructure
from control_tower.settings import get_settings


class TimedWriter:
    """The real writer, counting requests and timing each section's first to last reply."""

    def __init__(self, inner: StructuredSectionWriter) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.calls: dict[str, int] = {}
        self.started: dict[str, float] = {}

    def write(self, messages, schema):
        title = messages[0][1].split("「", 1)[1].split("」", 1)[0]
        with self.lock:
            self.calls[title] = self.calls.get(title, 0) + 1
            self.started.setdefault(title, time.monotonic())
        return self.inner.write(messages, schema)


def load_structure(path: Path | None) -> RoadmapStructure:
    if path is None:
        from tests.roadmap_fixtures import sample_roadmap_structure

        return sample_roadmap_structure()
    data = json.loads(path.read_text("utf-8"))
    return RoadmapStructure.model_validate(data.get("structure", data))


def _done(finished: dict[str, float], begin: float, done: int, total: int, section) -> None:
    finished.setdefault(section.key, time.monotonic())
    print(f"  [{done}/{total}] {section.key} {section.method} "
          f"at {finished[section.key] - begin:.1f} s", flush=True)  # fmt: skip


def run(
    structure: RoadmapStructure, concurrency: int, max_tokens: int, keys: list[str] | None = None
) -> dict[str, Any]:
    settings = get_settings()
    writer = TimedWriter(StructuredSectionWriter(settings, max_tokens=max_tokens))
    finished: dict[str, float] = {}
    begin = time.monotonic()
    sections = draft_sections(
        settings, structure, keys, writer=writer, concurrency=concurrency,
        progress=lambda done, total, s: _done(finished, begin, done, total, s),
    )  # fmt: skip
    total = time.monotonic() - begin
    rows = []
    for key, s in sections.items():
        start = writer.started.get(s.title, begin)
        rows.append({"section": key, "seconds": round(finished[key] - start, 2),
                     "method": s.method, "requests": writer.calls.get(s.title, 0),
                     "chars": len(s.text), "note": s.note})  # fmt: skip
    return {"concurrency": concurrency, "total_s": round(total, 2), "sections": rows,
            "texts": {k: s.text for k, s in sections.items()}}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concurrency", default="1,4", help="comma-separated levels (default 1,4)")
    ap.add_argument("--structure", type=Path, help="a RoadmapStructure (or version) JSON file")
    ap.add_argument("--max-tokens", type=int, default=400)
    ap.add_argument("--sections", help="comma-separated section keys (default: all)")
    ap.add_argument("--out", type=Path, help="write the results (with texts) as JSON")
    ap.add_argument("--show-text", action="store_true", help="print each section's text")
    args = ap.parse_args(argv)
    settings, structure = get_settings(), load_structure(args.structure)
    results = []
    print(f"profile={settings.llm_profile} url={settings.llm_base_url} "
          f"initiatives={len(structure.initiatives)} max_tokens={args.max_tokens}")  # fmt: skip
    for level in [int(x) for x in args.concurrency.split(",") if x.strip()]:
        keys = [k.strip() for k in args.sections.split(",")] if args.sections else None
        res = run(structure, level, args.max_tokens, keys)
        results.append(res)
        print(f"\n== concurrency {level}: total {res['total_s']:.1f} s")
        for r in res["sections"]:
            why = f"  ({r['note'][:110]})" if r["note"] else ""
            print(f"  {r['section']:<12} {r['seconds']:7.1f} s  {r['method']:<8} "
                  f"req={r['requests']} chars={r['chars']}{why}")  # fmt: skip
            if args.show_text:
                print("     " + res["texts"][r["section"]].replace("\n", "\n     "))
        llm = sum(r["method"] == "llm" for r in res["sections"])
        print(f"  llm {llm}/{len(res['sections'])} sections")
    if args.out:
        meta = {"at": datetime.now(UTC).isoformat(), "profile": settings.llm_profile,
                "machine": platform.machine(), "max_tokens": args.max_tokens}  # fmt: skip
        args.out.write_text(json.dumps({**meta, "runs": results}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
