"""Build two BEIR sets from the National Tax Service rulings in ``../shared/data/nts_hwp``.

The rulings are real Korean government documents; ``docs.jsonl`` holds the fields as printed
in each file (문서번호, 제목, 요지, 회신/답변내용, 관련법령 …). Built at run time into a cache or
temp folder — the shared data is never copied into the repository.

- ``nts_titles``: query = the ruling's 제목 (title); document = the ruling WITHOUT its title
  (문서번호, 요지, 회신, 관련법령), so the query is never an exact copy of the indexed text.
- ``nts_gist``: query = the first sentence of 요지 (the gist, usually a restatement of the
  answer); document = the ruling without title and gist (문서번호, 회신, 관련법령).
  Harder for BM25: the gist paraphrases the answer with different word forms.
Rulings with an empty body are left out. One relevant document per query.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from control_tower.domain import nfc
from evals.beir import BeirDoc, write_beir

BODY_FIELDS = ("회신", "답변내용", "판결내용")
_SENTENCE_END = re.compile(r"(?<=[.다음함됨임])\s")


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return parts[0].strip()


def _doc_id(row: dict) -> str:
    return Path(row["file"]).stem


def load_rulings(docs_jsonl: Path) -> list[dict]:
    with Path(docs_jsonl).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build_nts_sets(docs_jsonl: Path, out_dir: Path) -> dict[str, Path]:
    """Write ``out_dir/nts_titles`` and ``out_dir/nts_gist``; return their folders."""
    rulings = load_rulings(docs_jsonl)
    title_corpus, gist_corpus = [], []
    title_queries, gist_queries = {}, {}
    title_qrels, gist_qrels = {}, {}
    for row in rulings:
        f = {k: nfc(str(v)).strip() for k, v in row["fields"].items() if v}
        body = "\n\n".join(f[k] for k in BODY_FIELDS if f.get(k))
        if not body or not f.get("제목"):
            continue
        cid = _doc_id(row)
        number = f.get("문서번호", "")
        law = f.get("관련법령", "")
        meta = {"display_title": number or cid, "department": "국세청", "세목": f.get("세목", "")}
        title_text = "\n\n".join(p for p in (number, f.get("요지", ""), body, law) if p)
        title_corpus.append(BeirDoc(cid, "", title_text, meta))
        qid = f"t-{cid}"
        title_queries[qid] = f["제목"]
        title_qrels[qid] = {cid: 1}

        gist = _first_sentence(f.get("요지", ""))
        gist_text = "\n\n".join(p for p in (number, body, law) if p)
        gist_corpus.append(BeirDoc(cid, "", gist_text, meta))
        if len(gist) >= 8:
            qid = f"g-{cid}"
            gist_queries[qid] = gist
            gist_qrels[qid] = {cid: 1}

    out = {"nts_titles": out_dir / "nts_titles", "nts_gist": out_dir / "nts_gist"}
    write_beir(out["nts_titles"], title_corpus, title_queries, title_qrels)
    write_beir(out["nts_gist"], gist_corpus, gist_queries, gist_qrels)
    return out


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Build the NTS BEIR sets.")
    parser.add_argument("--docs", type=Path, default=Path("../shared/data/nts_hwp/docs.jsonl"))
    parser.add_argument("--out", type=Path, default=Path("data/eval_sets"))
    args = parser.parse_args()
    for name, folder in build_nts_sets(args.docs, args.out).items():
        print(name, folder)


if __name__ == "__main__":
    main()
