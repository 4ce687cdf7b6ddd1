"""Ideation evaluation on a built data dir (the demo after `make run`, or any data folder):
for every department, the proposals ``ct ideas`` makes, their duplication rate against the
whole registry (target 0), the share of citations that resolve (readable by the caller, and
the cited text found in that document), and the time per department.

Duplication is re-checked independently of the pipeline: each 신규 proposal's card is scored
against every card in the registry (not only those the caller sees) with the linker; a 중복 at
or above ``DUPLICATE_SCORE`` counts. 연계 proposals name their card on purpose and are counted
apart.

    .venv/bin/python -m evals.ideas_eval [--data-dir DIR] [--user NAME] [--top 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _principal(store, user: str | None):  # noqa: ANN001, ANN202
    from control_tower.domain import Principal, Role

    if user:
        found = store.get_user(user)
        if found is None:
            sys.exit(f"unknown user: {user}")
        return found
    return Principal(username="ideas-eval", roles={Role.admin})


def _texts(settings, store):  # noqa: ANN001, ANN202
    from control_tower.store.parsed import parsed_copies
    from ingest.chunking import full_text

    copies = parsed_copies(settings.data_dir)
    out = {}
    for rec in store.list_documents(status="indexed"):
        parsed = copies.load(rec.doc_id, max(rec.version, 1))
        if parsed is not None:
            out[rec.doc_id] = full_text(parsed)
    return out


def _duplicates(settings, proposals, cards, embedder) -> int:  # noqa: ANN001
    from control_tower.ideation.dedup import proposal_card
    from control_tower.linker.pipeline import score_against
    from control_tower.registry.linking import card_vectors
    from control_tower.registry.review import DUPLICATE_SCORE

    n = 0
    for p in proposals:
        if p.kind == "연계":
            continue
        card = proposal_card(p.id, p.title, p.departments[:1], p.problem, p.approach,
                             p.technique, [d.name for d in p.data])  # fmt: skip
        vectors, _ = card_vectors(settings, [card, *cards], embedder=embedder)
        cos = None if vectors is None else vectors[1:] @ vectors[0]
        links = score_against(card, cards, cosines=cos)
        if any(lk and lk.type == "중복" and lk.score >= DUPLICATE_SCORE for lk in links):
            n += 1
    return n


def evaluate(settings, *, user: str | None = None, top: int = 5) -> dict:  # noqa: ANN001
    from control_tower.embeddings import Embedder
    from control_tower.ideation.catalogue import load_catalogue
    from control_tower.ideation.corpus import build_corpus
    from control_tower.ideation.proposals import propose_with_docs
    from control_tower.registry.repo import RegistryRepo
    from control_tower.registry.visibility import Reader
    from control_tower.store import open_store

    store = open_store(settings)
    principal = _principal(store, user)
    embedder = Embedder(settings)
    t0 = time.perf_counter()
    corpus = build_corpus(settings, store, principal)
    corpus_s = time.perf_counter() - t0
    catalogue = load_catalogue().entries
    cards = RegistryRepo(store).cards()
    texts, reader = _texts(settings, store), Reader(store, principal)
    rows: dict[str, dict] = {}
    for dept in corpus.departments():
        t = time.perf_counter()
        items = propose_with_docs(settings, store, principal, dept, top=top, embedder=embedder,
                                  corpus=corpus, catalogue=catalogue)  # fmt: skip
        seconds = time.perf_counter() - t
        proposals = [p for p, _ in items]
        cites = [
            c
            for p in proposals
            for c in [*p.citations, *(d.citation for d in p.data if d.citation)]
        ]
        ok = sum(
            reader.can(c.doc_id) and bool(c.text) and c.text in texts.get(c.doc_id, "")
            for c in cites
        )
        rows[dept] = {
            "proposals": len(proposals),
            "linked": sum(p.kind == "연계" for p in proposals),
            "duplicates": _duplicates(settings, proposals, cards, embedder),
            "citations": len(cites),
            "citations_resolved": ok,
            "seconds": round(seconds, 2),
            "titles": [p.title for p in proposals],
        }
    n_prop = sum(r["proposals"] for r in rows.values())
    n_new = n_prop - sum(r["linked"] for r in rows.values())
    n_cit = sum(r["citations"] for r in rows.values())
    return {
        "user": principal.username,
        "catalogue_entries": len(catalogue),
        "cards": len(cards),
        "corpus_seconds": round(corpus_s, 2),
        "departments": rows,
        "totals": {
            "departments": len(rows),
            "proposals": n_prop,
            "linked": n_prop - n_new,
            "duplication_rate": round(sum(r["duplicates"] for r in rows.values()) / n_new, 4)
            if n_new
            else 0.0,
            "citation_resolution": round(
                sum(r["citations_resolved"] for r in rows.values()) / n_cit, 4
            )
            if n_cit
            else 1.0,
            "seconds_per_department": round(
                sum(r["seconds"] for r in rows.values()) / max(1, len(rows)), 2
            ),
        },
    }


def main(argv: list[str] | None = None) -> int:
    from control_tower.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, help="a built data folder (default: settings)")
    ap.add_argument("--user", help="evaluate as this user (default: an admin principal)")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="JSON only (the default prints JSON too)")
    args = ap.parse_args(argv)
    kw = {"data_dir": args.data_dir} if args.data_dir else {}
    settings = Settings(**kw)
    result = evaluate(settings, user=args.user, top=args.top)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
