"""Roadmap evaluation: the demo draft's checks, the labeled prerequisite order, and the
time to compute the structure (demo and Seoul scale).

    python -m evals.roadmap_eval --data DIR [--user ai_lead]   # a demo data dir (make run's)
    python -m evals.roadmap_eval --demo                          # builds one in a temp dir
    python -m evals.roadmap_eval --seoul [FILE]    # 4,023 Seoul projects as cards

Prerequisite labels are the demo's ground truth (``control_tower/demo/content/links.json``,
``depends_on``: source needs target), read here only: a labeled pair is *found* when the
dependent's initiative lists the prerequisite's, and *in order* when the prerequisite starts
no later (and, when found, comes first in the dependency order). The roadmap code never
reads the labels.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from evals.registry_eval import REPO

LABELS = REPO / "control_tower" / "demo" / "content" / "links.json"
SEOUL = REPO.parent / "shared" / "data" / "seoul_budget_2018" / "projects.jsonl"


def _settings(data: Path):  # noqa: ANN202
    from control_tower.settings import Settings

    return Settings(_env_file=None, data_dir=data, models_dir=REPO / "data" / "models")


def prepare_demo_dir(data: Path) -> None:
    from control_tower.bootstrap import prepare_demo
    from control_tower.registry.build import build_registry
    from control_tower.store import open_store

    settings = _settings(data)
    prepare_demo(settings)
    build_registry(settings, open_store(settings), use_llm=False)


def initiative_keys(structure) -> dict[str, set[str]]:  # noqa: ANN001
    """Initiative id → demo document keys of its sources (via the manifest plan's paths)."""
    from evals.linker_fixture import path_to_key

    by_file = {Path(p).name: k for p, k in path_to_key().items()}
    out: dict[str, set[str]] = {}
    for ini in structure.initiatives:
        keys = {by_file.get(Path(s.path).name) for s in ini.sources if s.path}
        out[ini.id] = {k for k in keys if k}
    return out


def prerequisite_order(structure) -> dict:  # noqa: ANN001
    labels = [
        x for x in json.loads(LABELS.read_text("utf-8"))["links"] if x["type"] == "depends_on"
    ]
    keys = initiative_keys(structure)
    of_key: dict[str, str] = {}  # a key's own initiative: the one with the fewest sources
    for iid, ks in sorted(keys.items(), key=lambda kv: len(kv[1])):  # (a cluster's new
        for k in ks:  # platform cites its members too)
            of_key.setdefault(k, iid)
    by_id = {i.id: i for i in structure.initiatives}
    position = {iid: n for n, iid in enumerate(structure.order)}
    mapped = found = in_order = 0
    misses, violations = [], []
    for label in labels:
        dep, pre = of_key.get(label["source"]), of_key.get(label["target"])
        if dep is None or pre is None or dep == pre:
            continue
        mapped += 1
        a, b = by_id[pre], by_id[dep]
        if pre in b.depends_on:
            found += 1
        else:
            misses.append(f"{label['source']} → {label['target']}")
        ordered = pre not in b.depends_on or position[pre] < position[dep]
        if a.start_year <= b.start_year and ordered:
            in_order += 1
        else:
            violations.append(f"{b.title} ({b.start_year}) needs {a.title} ({a.start_year})")
    return {"labeled": len(labels), "mapped": mapped, "dependency_found": found,
            "in_order": in_order, "missing": misses, "violations": violations}  # fmt: skip


def evaluate_demo(data: Path, user: str) -> dict:
    from control_tower.accounts import get_user
    from control_tower.registry.visibility import Reader
    from control_tower.roadmap.checks import run_checks
    from control_tower.roadmap.service import inputs
    from control_tower.roadmap.structure import build_structure
    from control_tower.roadmap.types import Guidance
    from control_tower.store import open_store

    store = open_store(_settings(data))
    principal = get_user(store, user).principal()
    t0 = time.perf_counter()
    cards, links, clusters, proposals, _docs = inputs(store, principal)
    t1 = time.perf_counter()
    guidance = Guidance(from_year=2026, to_year=2030)
    s = build_structure(guidance, cards, links, clusters, proposals,
                        lead_unit=principal.department)  # fmt: skip
    t2 = time.perf_counter()
    checks = run_checks(s, Reader(store, principal).can)
    return {
        "user": user,
        "cards": len(cards),
        "initiatives": len(s.initiatives),
        "proposals": len(proposals),
        "phases": {p.name: len(p.initiatives) for p in s.phases},
        "budget_total_eok": s.budget.total_eok,
        "checks": {c.name: c.ok for c in checks},
        "all_checks_pass": all(c.ok for c in checks),
        "prerequisites": prerequisite_order(s),
        "inputs_seconds": round(t1 - t0, 2),
        "structure_seconds": round(t2 - t1, 3),
    }


def _with_budgets(cards: list, path: Path) -> list:
    """The linker's Seoul cards plus each row's budget (예산_원 → 억원), as an import sets it."""
    from control_tower.registry.types import FieldValue, SourceRef

    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    for card, row in zip(cards, rows, strict=True):
        if row.get("예산_원"):
            src = SourceRef(doc_id="import:seoul", path=path.name)
            value = round(float(row["예산_원"]) / 1e8, 2)
            card.fields["budget_eok"] = [FieldValue(value=value, method="import", source=src)]
    return cards


def evaluate_seoul(path: Path) -> dict:
    from control_tower.linker.pipeline import find_clusters, link_cards
    from control_tower.roadmap.checks import run_checks
    from control_tower.roadmap.structure import build_structure
    from control_tower.roadmap.types import Guidance
    from evals.linker_eval import seoul_cards

    cards = _with_budgets(seoul_cards(path), path)
    t0 = time.perf_counter()
    links = link_cards(cards)
    clusters = find_clusters(cards, links)
    t1 = time.perf_counter()
    out = {"cards": len(cards), "links": len(links), "clusters": len(clusters),
           "link_seconds": round(t1 - t0, 1)}  # fmt: skip
    for label, ceiling in (("no ceiling", None), ("ceiling 2,000억/year", 2000.0)):
        g = Guidance(from_year=2026, to_year=2030, ceiling_eok=ceiling)
        t2 = time.perf_counter()
        s = build_structure(g, cards, links, clusters)
        t3 = time.perf_counter()
        checks = run_checks(s, lambda _d: True)
        out[label] = {"initiatives": len(s.initiatives), "structure_seconds": round(t3 - t2, 2),
                      "budget_by_year": s.budget.by_year, "deferred": len(s.budget.notes),
                      "checks_seconds": round(time.perf_counter() - t3, 2),
                      "failed_checks": [c.name for c in checks if not c.ok]}  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, help="a demo data dir with the registry built")
    ap.add_argument("--demo", action="store_true", help="build a demo data dir in a temp dir")
    ap.add_argument("--user", default="ai_lead")
    ap.add_argument("--seoul", nargs="?", const=SEOUL, type=Path)
    args = ap.parse_args(argv)
    if args.seoul:
        result = evaluate_seoul(args.seoul)
    elif args.data:
        result = evaluate_demo(args.data, args.user)
    elif args.demo:
        with tempfile.TemporaryDirectory() as tmp:
            prepare_demo_dir(Path(tmp))
            result = evaluate_demo(Path(tmp), args.user)
    else:
        ap.error("give --data DIR, --demo or --seoul")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
