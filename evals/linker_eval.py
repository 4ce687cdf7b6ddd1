"""Linker evaluation on the demo ground truth, with the character-bigram baseline in the same run.

Two modes:
- ``--cards CARDS.json --links LINKS.json``: the real commands' output (``ct registry list
  --json`` and ``ct links --json``); cards map to demo document keys through their sources'
  paths (the demo manifest plan gives path ↔ key).
- ``--fixture [--embed]``: cards built from the demo content (evals/linker_fixture.py) and
  linked here with ``link_cards`` (``--embed``: with the configured embedding model).

Metrics (labels: evals/data/linker_labels.json): precision@k for k = number of labeled
positives, 10 and 20; recall of labeled positives among all returned links; type accuracy over
the positives found; direction accuracy over labeled 선후 pairs returned as 선후; hard
negatives returned. The baseline returns as many pairs as the linker did.

    .venv/bin/python -m evals.linker_eval --fixture --embed [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from evals.linker_baseline import rank_pairs

LABELS = Path(__file__).parent / "data" / "linker_labels.json"


def _dice(x: str, y: str) -> float:
    bx = {x[i : i + 2] for i in range(len(x) - 1)}
    by = {y[i : i + 2] for i in range(len(y) - 1)}
    return 2 * len(bx & by) / (len(bx) + len(by)) if bx and by else 0.0


def card_keys(cards: list[dict], projects: dict[str, str]) -> dict[str, str]:
    """Card id → demo project key: the labeled project among the card's source documents
    (by file path), the best name match when a card cites several projects' documents."""
    from evals.linker_fixture import path_to_key

    by_path = path_to_key()
    by_file = {Path(p).name: k for p, k in by_path.items()}
    out: dict[str, str] = {}
    for card in cards:
        keys = set()
        for src in card.get("sources", []):
            path = src.get("path", "")
            key = by_path.get(path) or by_file.get(Path(path).name)
            if key in projects:
                keys.add(key)
        if keys:
            out[card["id"]] = max(sorted(keys), key=lambda k: _dice(projects[k], card["name"]))
    return out


def card_text(card: dict) -> str:
    parts = [card.get("name", ""), card.get("goal") or "", card.get("summary") or ""]
    for key in ("technologies", "data", "beneficiaries", "partners"):
        parts.extend(card.get(key) or [])
    parts.extend(card.get("passages", []))
    return "\n".join(p for p in parts if p)


def score(ranked: list[tuple[str, str, str]], labels: dict, keys: dict[str, str]) -> dict:
    """``ranked``: (a, b, type) card ids, best first."""
    present = set(keys.values())
    pos = {}
    for p in labels["pairs"]:
        if p["a"] in present and p["b"] in present:
            pos[frozenset((p["a"], p["b"]))] = p
    positives = {k: v for k, v in pos.items() if v["type"] != "none"}
    negatives = {k for k, v in pos.items() if v["type"] == "none"}
    seen, rows = set(), []
    for a, b, typ in ranked:
        ka, kb = keys.get(a), keys.get(b)
        if ka is None or kb is None or ka == kb:
            continue
        pair = frozenset((ka, kb))
        if pair not in seen:
            seen.add(pair)
            rows.append((pair, ka, kb, typ))
    n_pos = len(positives)

    def p_at(k: int) -> float:
        top = rows[:k]
        return round(sum(1 for r in top if r[0] in positives) / max(1, len(top)), 3)

    found = [(r, positives[r[0]]) for r in rows if r[0] in positives]
    typed = sum(1 for r, lab in found if r[3] == lab["type"])
    dir_rows = [(r, lab) for r, lab in found if lab["type"] == "선후" and r[3] == "선후"]
    right = sum(1 for r, lab in dir_rows if r[1] == lab["a"])
    return {
        "labeled_positives": n_pos,
        "returned_pairs": len(rows),
        f"precision@{n_pos}": p_at(n_pos),
        "precision@10": p_at(10),
        "precision@20": p_at(20),
        "recall": round(len(found) / max(1, n_pos), 3),
        "type_accuracy": round(typed / max(1, len(found)), 3),
        "direction_accuracy": round(right / max(1, len(dir_rows)), 3),
        "direction_pairs": len(dir_rows),
        "hard_negatives_returned": sum(1 for r in rows if r[0] in negatives),
        "hard_negatives": len(negatives),
        "by_type_found": {
            t: f"{sum(1 for r, lab in found if lab['type'] == t and r[3] == t)}/"
            f"{sum(1 for lab in positives.values() if lab['type'] == t)}"
            for t in ("중복", "연계", "선후")
        },
    }


def _fixture_inputs(embed: bool) -> tuple[list[dict], dict, float]:
    from control_tower.linker.pipeline import link_map
    from evals.linker_fixture import demo_cards

    cards = demo_cards()
    vectors = None
    if embed:
        from control_tower.embeddings import Embedder
        from control_tower.settings import Settings

        vectors = Embedder(Settings()).embed_documents([c.text() for c in cards])
    t0 = time.perf_counter()
    links, clusters = link_map(cards, vectors=vectors)
    seconds = time.perf_counter() - t0
    as_json = [
        {
            "id": c.id,
            "name": c.name,
            "goal": c.value("goal"),
            "sources": [{"doc_id": s.doc_id, "path": s.path} for s in c.sources()],
            "passages": [p.text for p in c.passages],
        }
        for c in cards
    ]
    payload = {
        "links": [lk.model_dump(mode="json") for lk in links],
        "clusters": [cl.model_dump(mode="json") for cl in clusters],
    }
    return as_json, payload, seconds


def evaluate(cards: list[dict], links_payload: dict, labels: dict | None = None) -> dict:
    labels = labels or json.loads(LABELS.read_text(encoding="utf-8"))
    keys = card_keys(cards, labels["projects"])
    links = links_payload.get("links", [])
    linker = score([(lk["a"], lk["b"], lk["type"]) for lk in links], labels, keys)
    ids = [c["id"] for c in cards if c["id"] in keys]
    texts = [card_text(c) for c in cards if c["id"] in keys]
    budget = max(len(links), linker["labeled_positives"])
    base = rank_pairs(ids, texts)[:budget]
    baseline = score([(a, b, "연계") for a, b, _ in base], labels, keys)
    baseline["type_accuracy_note"] = "baseline has no types: every pair counted as 연계"
    return {
        "cards": len(cards),
        "cards_mapped": len(keys),
        "linker": linker,
        "baseline": baseline,
        "clusters": [
            {"component": c["component"], "cards": [keys.get(i, i) for i in c["cards"]]}
            for c in links_payload.get("clusters", [])
        ],
    }


def seoul_cards(path: Path) -> list:
    """Cards for the Seoul budget rows (부서/사업/목적/내용/근거), one passage per text field."""
    from control_tower.registry.types import FieldValue, Passage, ProjectCard, SourceRef

    cards = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        src = SourceRef(doc_id="import:seoul", path=path.name, row=n)
        fields = {
            "name": [FieldValue(value=row["사업"], method="import", source=src)],
            "departments": [FieldValue(value=[row["부서"]], method="import", source=src)],
        }
        if row.get("목적"):
            fields["goal"] = [
                FieldValue(value=" ".join(row["목적"].split()), method="import", source=src)
            ]
        passages = [
            Passage(
                text=" ".join(row[k].split())[:600], source=src.model_copy(update={"section": k})
            )
            for k in ("내용", "근거")
            if row.get(k)
        ]
        cards.append(ProjectCard(id=row["id"], fields=fields, passages=passages, origin="import"))
    return cards


def time_seoul(path: Path, vectors: Path | None) -> dict:
    import numpy as np

    from control_tower.linker.pipeline import find_clusters, link_cards

    cards = seoul_cards(path)
    vecs = np.load(vectors) if vectors else None
    t0 = time.perf_counter()
    links = link_cards(cards, vectors=vecs)
    t1 = time.perf_counter()
    clusters = find_clusters(cards, links)
    t2 = time.perf_counter()
    types = {t: sum(1 for lk in links if lk.type == t) for t in ("중복", "연계", "선후")}
    return {
        "cards": len(cards),
        "links": len(links),
        "types": types,
        "clusters": len(clusters),
        "link_seconds": round(t1 - t0, 1),
        "cluster_seconds": round(t2 - t1, 1),
        "with_vectors": vecs is not None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=Path)
    ap.add_argument("--links", type=Path)
    ap.add_argument("--fixture", action="store_true")
    ap.add_argument("--embed", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--seoul", type=Path, help="time link_cards on the Seoul budget JSONL")
    ap.add_argument("--vectors", type=Path, help="with --seoul: card embeddings (.npy)")
    args = ap.parse_args(argv)
    if args.seoul:
        print(json.dumps(time_seoul(args.seoul, args.vectors), ensure_ascii=False))
        return 0
    if args.fixture:
        cards, payload, seconds = _fixture_inputs(args.embed)
    elif args.cards and args.links:
        cards = json.loads(args.cards.read_text(encoding="utf-8"))["cards"]
        payload, seconds = json.loads(args.links.read_text(encoding="utf-8")), None
    else:
        ap.error("give --fixture or both --cards and --links")
    result = evaluate(cards, payload)
    result["link_seconds"] = None if seconds is None else round(seconds, 2)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        for side in ("linker", "baseline"):
            print(side, json.dumps(result[side], ensure_ascii=False))
        for c in result["clusters"]:
            print("cluster", c["component"], c["cards"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
