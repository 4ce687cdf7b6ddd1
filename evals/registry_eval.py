"""Registry evaluation on the demo corpus: field accuracy, merge accuracy and review verdicts.

Everything goes through the real commands (``ct ingest``, ``ct registry build --json``,
``ct registry list --json --user admin``, ``ct review FILE --json``), so the numbers describe
what a user gets. Two ways to run:

    python -m evals.registry_eval --cards list.json   # a saved `ct registry list --json`
    python -m evals.registry_eval --run DATA_DIR [--no-llm]   # ingest, build, list, review

A label is matched to a card through the card's sources: a source path ends with the demo
file's ``<부서>/<파일명>`` (``control_tower.demo.generate.plan_corpus``), which gives its key.
Labels: ``evals/data/registry_cards.json`` (fields, ``docs`` per project) and
``evals/data/review_labels.json`` (expected verdicts of ``control_tower.demo.proposals``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CARD_LABELS = REPO / "evals" / "data" / "registry_cards.json"
REVIEW_LABELS = REPO / "evals" / "data" / "review_labels.json"
FIELDS = ("name", "lead_department", "start_year", "end_year", "budget_eok", "funding")
FUNDING_KEYS = ("국비", "도비", "시비", "민자")


# ------------------------------------------------------------------ running the commands


def ct_env(data_dir: Path) -> dict[str, str]:
    """The environment for ``ct`` against ``data_dir`` (models from the repo unless set)."""
    env = dict(os.environ)
    env["CT_DATA_DIR"] = str(data_dir)
    env.setdefault("CT_MODELS_DIR", str(REPO / "data" / "models"))
    env["CT_DATABASE_URL"] = f"sqlite:///{data_dir / 'control_tower.db'}"
    env["CT_CHROMA_MODE"] = "embedded"
    env.pop("CT_CHROMA_URL", None)
    return env


def run_ct(args: list[str], data_dir: Path, *, stdin: str | None = None, check: bool = True):
    """Run ``.venv/bin/ct ARGS`` with CT_DATA_DIR; return the CompletedProcess."""
    ct = REPO / ".venv" / "bin" / "ct"
    proc = subprocess.run(
        [str(ct), *args], env=ct_env(data_dir), input=stdin, capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"ct {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        )
    return proc


def ensure_admin(data_dir: Path) -> None:
    """An ``admin`` account in the data dir (a random password; the eval never logs in)."""
    run_ct(
        [
            "users",
            "add",
            "admin",
            "--role",
            "admin",
            "--department",
            "정보통신과",
            "--create-department",
            "--password-stdin",
        ],
        data_dir,
        stdin=secrets.token_urlsafe(16) + "\n",
        check=False,
    )  # fails harmlessly when the account already exists


def run_pipeline(data_dir: Path, *, no_llm: bool) -> tuple[dict, dict, Path]:
    """Demo corpus → ingest → build → list; returns (build report, list output, corpus dir)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    corpus = data_dir / "demo_corpus"
    if not (corpus / "ct-manifest.json").exists():
        subprocess.run(
            [sys.executable, "-m", "control_tower.demo.generate", str(corpus)], check=True
        )
    ensure_admin(data_dir)
    run_ct(["ingest", str(corpus), "--json"], data_dir)
    build = json.loads(
        run_ct(["registry", "build", "--json", *(["--no-llm"] * no_llm)], data_dir).stdout
    )
    listed = json.loads(run_ct(["registry", "list", "--json", "--user", "admin"], data_dir).stdout)
    return build, listed, corpus


# ------------------------------------------------------------------ matching cards to labels


def norm(text) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).split())


def demo_paths() -> dict[str, str]:
    """'<부서>/<파일명>' → document key."""
    from control_tower.demo.generate import plan_corpus

    return {unicodedata.normalize("NFC", e.path): e.key for e, _ in plan_corpus()}


def key_of(path: str, paths: dict[str, str]) -> str | None:
    parts = unicodedata.normalize("NFC", str(path or "")).replace("\\", "/").split("/")
    return paths.get("/".join(parts[-2:])) if len(parts) >= 2 else None


def card_keys(card: dict, paths: dict[str, str]) -> set[str]:
    return {k for s in card.get("sources", []) if (k := key_of(s.get("path"), paths))}


def name_source_key(card: dict, paths: dict[str, str]) -> str | None:
    src = (card.get("fields", {}).get("name") or {}).get("source") or {}
    return key_of(src.get("path"), paths)


def pick_card(label: dict, cards: list[dict], keys: list[set[str]], paths) -> int | None:
    """The card that stands for a labeled project: among cards holding its primary document,
    the one whose name came from that document, then the best name match, then the one
    covering most of the project's documents."""
    holders = [i for i, ks in enumerate(keys) if label["key"] in ks]
    if not holders:
        return None
    names = {norm(n) for n in [label["name"], *label.get("aliases", [])]}

    def rank(i: int):
        return (
            name_source_key(cards[i], paths) == label["key"],
            norm(cards[i].get("name")) in names,
            len(keys[i] & set(label["docs"])),
        )

    return max(holders, key=rank)


# ------------------------------------------------------------------ scoring


def close(a, b, rel: float = 0.01) -> bool:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= max(rel * abs(b), 1e-6) if b else abs(a) <= 0.005


def field_ok(field: str, label: dict, card: dict | None) -> bool:
    want = label[field]
    if card is None:
        return False
    if field == "name":
        return norm(card.get("name")) == norm(want)
    if field == "lead_department":
        deps = card.get("departments") or []
        return bool(deps) and norm(deps[0]).removeprefix("포항시 ") == norm(want)
    if field == "budget_eok":
        return close(card.get("budget_eok"), want)
    if field == "funding":
        got = card.get("funding") or {}
        return bool(got) and all(close(got.get(k, 0.0), want.get(k, 0.0)) for k in FUNDING_KEYS)
    return card.get(field) == want


def score_cards(listed: dict, labels: list[dict]) -> dict:
    cards = listed["cards"]
    paths = demo_paths()
    keys = [card_keys(c, paths) for c in cards]
    per_field = {f: [0, 0] for f in FIELDS}
    name_lenient = [0, 0]
    rows = []
    for label in labels:
        i = pick_card(label, cards, keys, paths)
        card = cards[i] if i is not None else None
        docs = set(label["docs"])
        merged = len(docs & keys[i]) / len(docs) if i is not None else 0.0
        allowed = docs | set(label.get("mentioned_in", []))
        extra = sorted(keys[i] - allowed) if i is not None else []
        precision = 1 - len(extra) / len(keys[i]) if i is not None and keys[i] else 0.0
        holders = sum(1 for ks in keys if label["key"] in ks)
        named = sum(1 for c in cards if name_source_key(c, paths) == label["key"])
        wrong = []
        for f in FIELDS:
            if label[f] is None:
                continue
            ok = field_ok(f, label, card)
            per_field[f][0] += ok
            per_field[f][1] += 1
            if not ok:
                wrong.append(f"{f}={card.get(f) if card else None!r}")
        variants = {norm(n) for n in [label["name"], *label.get("aliases", [])]}
        name_lenient[0] += bool(card) and norm(card.get("name")) in variants
        name_lenient[1] += 1
        rows.append(
            {
                "key": label["key"],
                "card": card.get("id") if card else None,
                "merge_fraction": round(merged, 3),
                "source_precision": round(precision, 3),
                "foreign_sources": extra,
                "primary_holders": holders,
                "primary_named": named,
                "missing_docs": sorted(docs - keys[i]) if card else sorted(docs),
                "wrong": wrong,
            }
        )
    correct = sum(c for c, _ in per_field.values())
    total = sum(n for _, n in per_field.values())
    n = len(labels)
    return {
        "labels": n,
        "cards": len(cards),
        "fields": {f: round(c / t, 3) if t else None for f, (c, t) in per_field.items()},
        "fields_scored": {f: t for f, (_, t) in per_field.items()},
        "field_accuracy": round(correct / total, 3) if total else None,
        "name_or_alias": round(name_lenient[0] / name_lenient[1], 3),
        "found": sum(1 for r in rows if r["card"]),
        "merge_fraction": round(sum(r["merge_fraction"] for r in rows) / n, 3),
        "merge_complete": sum(1 for r in rows if r["merge_fraction"] == 1.0),
        "source_precision": round(sum(r["source_precision"] for r in rows) / n, 3),
        "primary_in_one_card": sum(1 for r in rows if r["primary_holders"] == 1),
        "primary_names_one_card": sum(1 for r in rows if r["primary_named"] == 1),
        "projects": rows,
    }


# ------------------------------------------------------------------ review verdicts


def _match_keys(match: dict, by_id: dict[str, set[str]], paths) -> set[str]:
    card = match.get("card")
    if isinstance(card, dict):
        return card_keys(card, paths) or by_id.get(card.get("id"), set())
    return by_id.get(card, set())


def score_reviews(outputs: dict[str, dict], listed: dict, labels: list[dict]) -> dict:
    """``outputs``: proposal key → `ct review --json` output."""
    paths = demo_paths()
    by_id = {c["id"]: card_keys(c, paths) for c in listed["cards"]}
    rows, verdict_ok, target_ok = [], 0, 0
    for label in labels:
        out = outputs.get(label["key"]) or {}
        matches = out.get("matches") or []
        got = out.get("verdict")
        ok = got == label["verdict"]
        if label["verdict"] == "재검토":
            want = set(label["duplicate_of"]) | set(label.get("also_acceptable", []))
            dup = [m for m in matches if m.get("type") == "중복"] or matches[:1]
            named = bool(dup) and bool(_match_keys(dup[0], by_id, paths) & want)
        elif label["verdict"] == "조건부 추진":
            want = set(label.get("related", []))
            named = any(_match_keys(m, by_id, paths) & want for m in matches)
        else:
            named = not any(m.get("type") == "중복" for m in matches)
        verdict_ok += ok
        target_ok += ok and named
        rows.append(
            {
                "key": label["key"],
                "expected": label["verdict"],
                "got": got,
                "names_right_cards": named,
                "top": [
                    (
                        m.get("type"),
                        round(float(m.get("score") or 0), 3),
                        sorted(_match_keys(m, by_id, paths)),
                    )
                    for m in matches[:3]
                ],
            }
        )
    n = len(labels)
    return {
        "proposals": n,
        "verdict_accuracy": round(verdict_ok / n, 3) if n else None,
        "verdict_and_cards": round(target_ok / n, 3) if n else None,
        "rows": rows,
    }


def run_reviews(data_dir: Path, labels: list[dict]) -> dict[str, dict]:
    from control_tower.demo.generate import file_name
    from control_tower.demo.proposals import load_proposals, write_proposals

    folder = data_dir / "proposals"
    write_proposals(folder)
    files = {doc.key: folder / file_name(doc) for _, doc in load_proposals()}
    outputs = {}
    for label in labels:
        proc = run_ct(
            ["review", str(files[label["key"]]), "--json", "--user", "admin"], data_dir, check=False
        )
        try:
            outputs[label["key"]] = json.loads(proc.stdout)
        except json.JSONDecodeError:
            print(f"ct review {label['key']} failed: {proc.stderr[-500:]}", file=sys.stderr)
    return outputs


# ------------------------------------------------------------------ report


def markdown(result: dict, reviews: dict | None, title: str) -> str:
    f = result["fields"]
    lines = [
        f"### {title}",
        "",
        "| labels | cards | found | " + " | ".join(FIELDS) + " | fields overall | name or alias |",
        "|---" * (len(FIELDS) + 5) + "|",
        f"| {result['labels']} | {result['cards']} | {result['found']} | "
        + " | ".join(f"{f[k]:.3f}" if f[k] is not None else "-" for k in FIELDS)
        + f" | {result['field_accuracy']} | {result['name_or_alias']} |",
        "",
        "| merge: mean fraction of a project's docs on its card | projects fully merged |"
        " card sources that belong (docs or mentions) |"
        " primary doc on exactly one card | primary doc names exactly one card |",
        "|---|---|---|---|---|",
        f"| {result['merge_fraction']:.3f} | {result['merge_complete']}/{result['labels']} | "
        f"{result['source_precision']:.3f} | "
        f"{result['primary_in_one_card']}/{result['labels']} | "
        f"{result['primary_names_one_card']}/{result['labels']} |",
    ]
    if reviews:
        lines += [
            "",
            "| review proposals | verdict accuracy | verdict + right cards |",
            "|---|---|---|",
            f"| {reviews['proposals']} | {reviews['verdict_accuracy']} | "
            f"{reviews['verdict_and_cards']} |",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--cards", type=Path, help="a saved `ct registry list --json` output")
    src.add_argument("--run", type=Path, metavar="DATA_DIR", help="run the commands in DATA_DIR")
    ap.add_argument("--no-llm", action="store_true", help="build with rules only (--no-llm)")
    ap.add_argument("--reviews", type=Path, help="JSON {proposal key: `ct review --json`}")
    ap.add_argument("--no-review", action="store_true", help="skip `ct review` in --run mode")
    ap.add_argument("--out", type=Path, help="write the full result JSON here")
    args = ap.parse_args(argv)
    card_labels = json.loads(CARD_LABELS.read_text("utf-8"))["projects"]
    review_labels = json.loads(REVIEW_LABELS.read_text("utf-8"))["proposals"]
    build = None
    if args.run:
        build, listed, _ = run_pipeline(args.run.resolve(), no_llm=args.no_llm)
        (args.run / "registry_list.json").write_text(json.dumps(listed, ensure_ascii=False))
        outputs = None if args.no_review else run_reviews(args.run.resolve(), review_labels)
        if outputs == {}:
            print("ct review gave no output for any proposal: review accuracy not scored")
            outputs = None
    else:
        listed = json.loads(args.cards.read_text("utf-8"))
        outputs = json.loads(args.reviews.read_text("utf-8")) if args.reviews else None
    result = score_cards(listed, card_labels)
    reviews = score_reviews(outputs, listed, review_labels) if outputs is not None else None
    if args.run:
        mode = "rules only" if args.no_llm else f"rules + LLM: {build.get('llm', '?')}"
    else:
        mode = f"from {args.cards.name}"
    print(markdown(result, reviews, f"Registry fields and merge ({mode})"))
    if build:
        print(f"\nbuild: {json.dumps(build, ensure_ascii=False)}")
    for row in result["projects"]:
        if row["wrong"] or row["merge_fraction"] < 1 or row["foreign_sources"]:
            print(
                f"  {row['key']}: merge {row['merge_fraction']} missing {row['missing_docs']}"
                f" foreign {row['foreign_sources']} wrong {row['wrong']}"
            )
    for row in (reviews or {}).get("rows", []):
        print(
            f"  review {row['key']}: expected {row['expected']} got {row['got']} "
            f"cards ok {row['names_right_cards']} top {row['top']}"
        )
    if args.out:
        args.out.write_text(
            json.dumps(
                {"build": build, "cards": result, "reviews": reviews}, ensure_ascii=False, indent=1
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
