"""Retrieval evaluation: index a query set's corpus into a temporary data dir with the real
chunking, embedding and index code, then score dense, sparse and every fusion strategy.

Two kinds of sets:
- BEIR folders (``corpus.jsonl`` …): each corpus entry becomes a ``ParsedDocument`` (title as
  a heading, text as paragraphs) → ``ingest.chunking.chunk_document`` → ``Index``;
- the demo set: the generated demo FILES are ingested through ``ingest.pipeline.ingest_paths``
  exactly as ``ct ingest`` does, and results map back to corpus ids through the manifest key.
Chunk hits map to corpus ids by the best-ranked chunk of each document (max over chunks).
Queries run as an admin principal: this measures ranking, access control is tested elsewhere.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from control_tower.access import read_scope
from control_tower.domain import (
    AccessLevel,
    Block,
    BlockKind,
    DocumentMeta,
    ParsedDocument,
    Principal,
    Role,
)
from control_tower.retrieval import STRATEGIES, Candidates, Retriever, doc_id_of, get_strategy
from control_tower.settings import Settings
from evals.beir import BeirSet, score_run

EVAL_PRINCIPAL = Principal(username="eval", department=None, roles={Role.admin})
CANDIDATES = 100  # per retriever; the fused list is cut to k documents afterwards


@contextmanager
def temporary_settings(base: Settings, keep: Path | None = None) -> Iterator[Settings]:
    """``base`` with all state in a fresh temporary data dir (models still from ``base``)."""
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="ct-eval-"))
    folder.mkdir(parents=True, exist_ok=True)
    overrides = {
        "data_dir": folder,
        "models_dir": base.models_dir,
        "database_url": f"sqlite:///{folder / 'control_tower.db'}",
        "chroma_url": None,
        "chroma_mode": "embedded",
    }
    settings = base.model_copy(update=overrides)
    try:
        yield settings
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


# --- indexing ------------------------------------------------------------------------------
def parsed_from_beir(title: str, text: str) -> ParsedDocument:
    blocks = [Block(kind=BlockKind.heading, level=1, text=title)] if title.strip() else []
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()] or [text.strip()]
    blocks += [
        Block(kind=BlockKind.paragraph, text=p, paragraph_index=i)
        for i, p in enumerate(paragraphs)
        if p
    ]
    return ParsedDocument(title=title or None, blocks=blocks, parser="beir")


def index_beir(beir: BeirSet, settings: Settings, index, batch_chunks: int = 256) -> dict[str, str]:
    """Chunk, embed and index every corpus entry. Returns doc id → corpus id."""
    from ingest.chunking import chunk_document
    from ingest.normalize import normalize_document

    doc_to_corpus: dict[str, str] = {}
    pending: list[tuple[str, list]] = []

    def flush() -> None:
        texts = [c.text for _, chunks in pending for c in chunks]
        if not texts:
            pending.clear()
            return
        vectors = index.embedder.embed_documents(texts)
        at = 0
        for doc_id, chunks in pending:
            index.replace_document(doc_id, chunks, embeddings=vectors[at : at + len(chunks)])
            at += len(chunks)
        pending.clear()

    queued = 0
    for doc in beir.corpus:
        doc_id = "beir-" + hashlib.sha1(doc.id.encode()).hexdigest()[:16]
        doc_to_corpus[doc_id] = doc.id
        meta = DocumentMeta(
            doc_id=doc_id,
            title=doc.title or str(doc.metadata.get("display_title") or doc.id),
            department=str(doc.metadata.get("department") or "평가"),
            access_level=AccessLevel.public,
            source_path=f"beir://{beir.name}/{doc.id}",
            doc_type="txt",
            content_hash=hashlib.sha256((doc.title + "\n" + doc.text).encode()).hexdigest(),
        )
        parsed = normalize_document(parsed_from_beir(doc.title, doc.text))
        chunks = chunk_document(
            parsed, meta, size=settings.chunk_size, overlap=settings.chunk_overlap
        )
        if not chunks:
            continue
        pending.append((doc_id, chunks))
        queued += len(chunks)
        if queued >= batch_chunks:
            flush()
            queued = 0
    flush()
    return doc_to_corpus


# --- scoring -------------------------------------------------------------------------------
@dataclass
class QueryRun:
    qid: str
    candidates: Candidates


def collect(retriever: Retriever, queries: dict[str, str], n: int = CANDIDATES) -> list[QueryRun]:
    """Both retrievers' candidate lists for every query (fusion variants reuse them)."""
    scope = read_scope(EVAL_PRINCIPAL)
    return [
        QueryRun(qid, retriever.candidates(text, scope, n, None, "hybrid", with_coverage=True))
        for qid, text in queries.items()
    ]


def doc_ranking(hits, to_corpus: Callable[[str], str | None], k: int) -> list[str]:
    """Corpus ids in order of each document's best chunk, first ``k``."""
    out: list[str] = []
    seen: set[str] = set()
    for hit in hits:
        cid = to_corpus(doc_id_of(hit.chunk_id))
        if cid is None or cid in seen:
            continue
        seen.add(cid)
        out.append(cid)
        if len(out) == k:
            break
    return out


def run_names(modes: Sequence[str], fusions: Sequence[str]) -> list[tuple[str, str, str | None]]:
    """(label, mode, strategy) for every combination asked for."""
    out = []
    for mode in modes:
        if mode == "hybrid":
            out += [(f"hybrid:{f}" if len(fusions) > 1 else "hybrid", "hybrid", f) for f in fusions]
        else:
            out.append((mode, mode, None))
    return out


def score_runs(
    retriever: Retriever,
    runs: list[QueryRun],
    qrels: dict[str, dict[str, int]],
    to_corpus: Callable[[str], str | None],
    modes: Sequence[str],
    fusions: Sequence[str],
    k: int = 10,
    per_query: bool = False,
) -> dict[str, dict]:
    report: dict[str, dict] = {}
    for label, mode, fusion in run_names(modes, fusions):
        strategy = get_strategy(fusion) if fusion else None
        ranked = {
            r.qid: doc_ranking(retriever.rank(r.candidates, mode, strategy), to_corpus, k)
            for r in runs
        }
        metrics = score_run(ranked, qrels, k)
        metrics = {"mode": mode, "fusion": fusion, **metrics}
        if per_query:
            metrics["runs"] = ranked
        report[label] = metrics
    return report


def resolve_fusions(fusion: str, settings: Settings) -> list[str]:
    if fusion == "all":
        return list(STRATEGIES)
    if fusion == "default":
        return [settings.retrieval_fusion]
    names = [f.strip() for f in fusion.split(",") if f.strip()]
    for name in names:
        get_strategy(name)  # raises with a Korean message
    return names


def evaluate_beir(
    beir: BeirSet,
    base: Settings,
    modes: Sequence[str],
    fusions: Sequence[str],
    k: int = 10,
    keep_dir: Path | None = None,
) -> dict[str, dict]:
    from control_tower.index import open_index

    with temporary_settings(base, keep_dir) as settings:
        index = open_index(settings)
        doc_to_corpus = index_beir(beir, settings, index)
        retriever = Retriever(settings, index=index)
        runs = collect(retriever, beir.judged_queries)
        return score_runs(retriever, runs, beir.qrels, doc_to_corpus.get, modes, fusions, k)


# --- the demo set (real files) -------------------------------------------------------------
def manifest_keys(corpus_dir: Path) -> dict[str, str]:
    """Stored source path → manifest key, from the generated ``ct-manifest.json``."""
    from control_tower.demo.manifest import DemoManifest
    from control_tower.store import canonical_path

    manifest = DemoManifest.read(corpus_dir)
    return {canonical_path(corpus_dir / e.path): e.key for e in manifest.documents}


def index_demo_files(corpus_dir: Path, settings: Settings, index) -> dict[str, str]:
    """Ingest the generated files like ``ct ingest`` does. Returns doc id → manifest key."""
    from control_tower.store import open_store
    from ingest.pipeline import ingest_paths

    keys = manifest_keys(corpus_dir)
    store = open_store(settings)
    ingest_paths([str(corpus_dir)], settings, store=store, index=index)
    doc_to_key = {}
    for record in store.list_documents():
        key = keys.get(record.source_path)
        if key is not None:
            doc_to_key[record.doc_id] = key
    return doc_to_key


DEMO_SET_DIR = Path(__file__).resolve().parent / "datasets" / "demo"


def evaluate_demo(
    base: Settings,
    modes: Sequence[str],
    fusions: Sequence[str],
    k: int = 10,
    keep_dir: Path | None = None,
    corpus_dir: Path | None = None,
) -> dict[str, dict]:
    """Generate the demo files (unless ``corpus_dir`` has them), ingest, score the demo set."""
    from control_tower.index import open_index
    from evals.beir import load_beir

    demo = load_beir(DEMO_SET_DIR, require_corpus=False)
    with temporary_settings(base, keep_dir) as settings:
        if corpus_dir is None:
            from control_tower.demo.generate import generate_demo_corpus

            corpus_dir = settings.data_dir / "demo_corpus"
            generate_demo_corpus(corpus_dir)
        index = open_index(settings)
        doc_to_key = index_demo_files(corpus_dir, settings, index)
        retriever = Retriever(settings, index=index)
        runs = collect(retriever, demo.judged_queries)
        return score_runs(retriever, runs, demo.qrels, doc_to_key.get, modes, fusions, k)
