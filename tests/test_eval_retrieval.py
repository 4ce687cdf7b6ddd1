"""Retrieval evaluation: metrics, BEIR loading, the NTS set builder, `ct eval retrieval`, and
the demo query set through real ingestion (hybrid must beat both single retrievers)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.beir import (
    BeirDoc,
    BeirError,
    load_beir,
    mrr_at,
    ndcg_at,
    recall_at,
    score_run,
    write_beir,
)


# --- metrics ------------------------------------------------------------------------------------
def test_ndcg_graded():
    rels = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b", "x"], rels, 10) == pytest.approx(1.0)
    swapped = (1 / 1 + 2 / math.log2(3)) / (2 / 1 + 1 / math.log2(3))
    assert ndcg_at(["b", "a"], rels, 10) == pytest.approx(swapped)
    assert ndcg_at(["x", "y"], rels, 10) == 0.0


def test_recall_and_mrr_cutoffs():
    rels = {"a": 1, "b": 1}
    ranked = ["x", "a", "y", "z", "w", "b"]
    assert recall_at(ranked, rels, 5) == 0.5
    assert recall_at(ranked, rels, 10) == 1.0
    assert mrr_at(ranked, rels, 10) == 0.5
    assert mrr_at(["x"] * 10 + ["a"], rels, 10) == 0.0


def test_score_run_averages_judged_queries_only():
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    m = score_run({"q1": ["a"], "q2": ["x"], "q3": ["a"]}, qrels)
    assert m["queries"] == 2
    assert m["ndcg@10"] == 0.5 and m["mrr@10"] == 0.5


# --- BEIR files ---------------------------------------------------------------------------------
def test_beir_roundtrip_and_errors(tmp_path: Path):
    write_beir(
        tmp_path / "s", [BeirDoc("d1", "제목", "본문", {})], {"q1": "질의"}, {"q1": {"d1": 1}}
    )
    data = load_beir(tmp_path / "s")
    assert data.corpus[0].id == "d1" and data.queries == {"q1": "질의"}
    assert data.qrels == {"q1": {"d1": 1}}
    with pytest.raises(BeirError) as err:
        load_beir(tmp_path / "missing")
    assert err.value.code == "no_folder"
    (tmp_path / "s" / "qrels.tsv").write_text("q1\td1\t1\n", encoding="utf-8")
    with pytest.raises(BeirError) as err:
        load_beir(tmp_path / "s")
    assert err.value.code == "bad_qrels"


def test_nts_builder_removes_title_from_documents(shared_data: Path, tmp_path: Path):
    from evals.datasets.nts_titles.build import build_nts_sets

    sets = build_nts_sets(shared_data / "nts_hwp" / "docs.jsonl", tmp_path)
    titles = load_beir(sets["nts_titles"])
    gist = load_beir(sets["nts_gist"])
    assert len(titles.judged_queries) >= 250 and len(gist.judged_queries) >= 250
    by_id = {d.id: d for d in titles.corpus}
    verbatim = 0
    for qid, text in titles.queries.items():
        (cid,) = titles.qrels[qid]
        assert by_id[cid].title == ""
        assert not by_id[cid].text.startswith(text)  # the title line is removed
        verbatim += text in by_id[cid].text
    # A few rulings quote their own title in the body; most do not.
    assert verbatim < len(titles.queries) * 0.2
    gist_docs = {d.id: d for d in gist.corpus}
    exact = sum(
        text in gist_docs[next(iter(gist.qrels[q]))].text for q, text in gist.queries.items()
    )
    assert exact < len(gist.queries) * 0.2  # the gist is mostly not a verbatim quote


# --- ct eval retrieval --------------------------------------------------------------------------
SMALL = {
    "d-bus": ("버스 노선 개편", "포항시 시내버스 간선 노선을 2025년 3월부터 개편합니다."),
    "d-water": ("상수도 요금", "가정용 상수도 요금 단가를 조정하고 감면 대상을 넓힙니다."),
    "d-ai": ("AI 민원 상담", "인공지능 챗봇으로 야간 민원 상담을 자동화하는 시범사업입니다."),
    "d-park": ("공영주차장", "도심 공영주차장 부지 매입과 스마트 주차 안내 시스템 구축 계획."),
}
SMALL_QUERIES = {
    "q1": ("시내버스 노선 개편 시기", "d-bus"),
    "q2": ("수돗물 요금 인상", "d-water"),
    "q3": ("챗봇 민원 상담 자동화", "d-ai"),
    "q4": ("주차장 부지 매입", "d-park"),
}


@pytest.fixture
def small_beir(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    corpus = [BeirDoc(cid, title, text, {}) for cid, (title, text) in SMALL.items()]
    queries = {q: t for q, (t, _) in SMALL_QUERIES.items()}
    qrels = {q: {cid: 1} for q, (_, cid) in SMALL_QUERIES.items()}
    write_beir(folder, corpus, queries, qrels)
    return folder


def test_ct_eval_retrieval_all_modes(settings, small_beir):
    from control_tower.cli import app

    result = CliRunner().invoke(
        app, ["eval", "retrieval", "--beir", str(small_beir), "--mode", "all", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"sparse", "dense", "hybrid"}
    for metrics in report.values():
        assert {"ndcg@10", "recall@5", "recall@10", "mrr@10", "queries"} <= set(metrics)
        assert metrics["queries"] == 4
    assert report["sparse"]["recall@10"] == 1.0  # every query shares words with its document
    assert report["hybrid"]["mrr@10"] >= 0.75
    # The temporary index is gone; nothing was written to the configured data dir.
    assert not (settings.data_dir / "chroma").exists()


def test_ct_eval_retrieval_bad_folder_is_korean_error(settings, tmp_path):
    from control_tower.cli import app

    result = CliRunner().invoke(app, ["eval", "retrieval", "--beir", str(tmp_path / "none")])
    assert result.exit_code != 0
    assert "평가 세트 폴더가 없습니다" in result.output


# --- the demo set, through real files and real ingestion ----------------------------------------
@pytest.fixture(scope="session")
def demo_report(models_dir, tmp_path_factory):
    from control_tower.retrieval import STRATEGIES
    from control_tower.settings import Settings
    from evals.retrieval_eval import evaluate_demo

    base = Settings(
        _env_file=None, data_dir=tmp_path_factory.mktemp("demo_eval"), models_dir=models_dir
    )
    return evaluate_demo(base, ["sparse", "dense", "hybrid"], list(STRATEGIES)) | {
        "_default": base.retrieval_fusion
    }


@pytest.mark.slow
def test_demo_set_hybrid_beats_both_single_retrievers(demo_report):
    default = demo_report["_default"]
    hybrid = demo_report[f"hybrid:{default}"]
    dense, sparse = demo_report["dense"], demo_report["sparse"]
    assert hybrid["queries"] >= 50
    assert hybrid["ndcg@10"] >= max(dense["ndcg@10"], sparse["ndcg@10"])
    assert hybrid["ndcg@10"] >= 0.6  # a sane absolute floor for this set
    assert hybrid["recall@10"] >= 0.7
