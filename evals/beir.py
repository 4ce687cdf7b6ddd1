"""BEIR-layout retrieval sets: read/write and the standard metrics.

Layout (a folder): ``corpus.jsonl`` (``_id``, ``title``, ``text``, ``metadata``),
``queries.jsonl`` (``_id``, ``text``), ``qrels.tsv`` (header ``query-id corpus-id score``;
also accepted under ``qrels/test.tsv`` as BEIR ships it). A folder without ``corpus.jsonl``
(the demo set, whose corpus is real files) still loads its queries and qrels.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from control_tower.domain import nfc


class BeirError(ValueError):
    def __init__(self, code: str, message_ko: str):
        super().__init__(message_ko)
        self.code = code
        self.message_ko = message_ko


@dataclass
class BeirDoc:
    id: str
    title: str
    text: str
    metadata: dict = field(default_factory=dict)


@dataclass
class BeirSet:
    name: str
    corpus: list[BeirDoc]
    queries: dict[str, str]  # query id → text
    qrels: dict[str, dict[str, int]]  # query id → corpus id → graded relevance

    @property
    def judged_queries(self) -> dict[str, str]:
        """Queries with at least one relevant document (the only ones that can be scored)."""
        return {
            q: t
            for q, t in self.queries.items()
            if any(s > 0 for s in self.qrels.get(q, {}).values())
        }


def _jsonl(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise BeirError(
                        "bad_jsonl", f"{path.name} {n}번째 줄이 올바른 JSON이 아닙니다."
                    ) from None


def _qrels_path(folder: Path) -> Path:
    for candidate in (folder / "qrels.tsv", folder / "qrels" / "test.tsv"):
        if candidate.is_file():
            return candidate
    raise BeirError("no_qrels", f"qrels.tsv 파일이 없습니다: {folder}")


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:2]] != ["query-id", "corpus-id"]:
            raise BeirError(
                "bad_qrels", f"{path.name} 첫 줄은 'query-id corpus-id score' 헤더여야 합니다."
            )
        for row in reader:
            if not row or not row[0].strip():
                continue
            score = int(float(row[2])) if len(row) > 2 and row[2].strip() else 1
            qrels.setdefault(nfc(row[0].strip()), {})[nfc(row[1].strip())] = score
    return qrels


def load_beir(folder: Path, *, require_corpus: bool = True) -> BeirSet:
    folder = Path(folder)
    if not folder.is_dir():
        raise BeirError("no_folder", f"평가 세트 폴더가 없습니다: {folder}")
    queries_path = folder / "queries.jsonl"
    if not queries_path.is_file():
        raise BeirError("no_queries", f"queries.jsonl 파일이 없습니다: {folder}")
    corpus: list[BeirDoc] = []
    corpus_path = folder / "corpus.jsonl"
    if corpus_path.is_file():
        for row in _jsonl(corpus_path):
            corpus.append(
                BeirDoc(
                    id=nfc(str(row["_id"])),
                    title=nfc(row.get("title") or ""),
                    text=nfc(row.get("text") or ""),
                    metadata=row.get("metadata") or {},
                )
            )
    elif require_corpus:
        raise BeirError("no_corpus", f"corpus.jsonl 파일이 없습니다: {folder}")
    queries = {nfc(str(r["_id"])): nfc(r["text"]) for r in _jsonl(queries_path)}
    return BeirSet(folder.name, corpus, queries, read_qrels(_qrels_path(folder)))


def write_beir(folder: Path, corpus: Sequence[BeirDoc], queries: dict[str, str], qrels) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for d in corpus:
            row = {"_id": d.id, "title": d.title, "text": d.text, "metadata": d.metadata}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as f:
        for qid, text in queries.items():
            f.write(json.dumps({"_id": qid, "text": text}, ensure_ascii=False) + "\n")
    with (folder / "qrels.tsv").open("w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for qid, rels in qrels.items():
            for cid, score in rels.items():
                f.write(f"{qid}\t{cid}\t{score}\n")


# --- metrics -------------------------------------------------------------------------------
def ndcg_at(ranked: Sequence[str], rels: dict[str, int], k: int) -> float:
    dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((s for s in rels.values() if s > 0), reverse=True)[:k]
    idcg = sum(s / math.log2(i + 2) for i, s in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[str], rels: dict[str, int], k: int) -> float:
    relevant = {d for d, s in rels.items() if s > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranked: Sequence[str], rels: dict[str, int], k: int) -> float:
    for i, d in enumerate(ranked[:k]):
        if rels.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def score_run(
    run: dict[str, Sequence[str]], qrels: dict[str, dict[str, int]], k: int = 10
) -> dict[str, float]:
    """Mean metrics over the judged queries of ``run`` (query id → ranked corpus ids)."""
    judged = [q for q in run if any(s > 0 for s in qrels.get(q, {}).values())]
    if not judged:
        return {
            f"ndcg@{k}": 0.0,
            "recall@5": 0.0,
            f"recall@{k}": 0.0,
            f"mrr@{k}": 0.0,
            "queries": 0,
        }
    n = len(judged)
    return {
        f"ndcg@{k}": round(sum(ndcg_at(run[q], qrels[q], k) for q in judged) / n, 4),
        "recall@5": round(sum(recall_at(run[q], qrels[q], 5) for q in judged) / n, 4),
        f"recall@{k}": round(sum(recall_at(run[q], qrels[q], k) for q in judged) / n, 4),
        f"mrr@{k}": round(sum(mrr_at(run[q], qrels[q], k) for q in judged) / n, 4),
        "queries": n,
    }
