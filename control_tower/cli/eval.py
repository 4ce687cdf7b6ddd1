"""`ct eval ...`: evaluations that run through the same code paths as real use."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer
from rich.table import Table

from control_tower.cli.output import console, emit_json, fail
from control_tower.settings import get_settings

app = typer.Typer(help="평가 (검색 품질 등)", no_args_is_help=True)

BUILT_IN_SETS = ("nts_titles", "nts_gist", "demo")
MODES = ("hybrid", "dense", "sparse")


def _modes(mode: str) -> list[str]:
    if mode == "all":
        return ["sparse", "dense", "hybrid"]
    if mode not in MODES:
        fail(f"--mode 는 hybrid, dense, sparse, all 중 하나여야 합니다: '{mode}'")
    return [mode]


def _print_report(name: str, report: dict[str, dict], k: int) -> None:
    table = Table(title=f"검색 품질 — {name}")
    for col in ("방식", f"nDCG@{k}", "Recall@5", f"Recall@{k}", f"MRR@{k}", "질의 수"):
        table.add_column(col, justify="right" if col != "방식" else "left")
    for label, m in report.items():
        table.add_row(
            label,
            f"{m[f'ndcg@{k}']:.4f}",
            f"{m['recall@5']:.4f}",
            f"{m[f'recall@{k}']:.4f}",
            f"{m[f'mrr@{k}']:.4f}",
            str(m["queries"]),
        )
    console.print(table)


@app.command("retrieval")
def retrieval(
    beir: Path = typer.Option(
        None, "--beir", help="BEIR 형식 폴더 (corpus.jsonl, queries.jsonl, qrels.tsv)"
    ),
    builtin: str = typer.Option(
        None,
        "--set",
        help="내장 평가 세트: nts_titles, nts_gist (../shared/data 의 국세청 문서로 생성), "
        "demo (데모 문서 파일을 생성해 실제 수집 경로로 색인)",
    ),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, dense, sparse, all"),
    fusion: str = typer.Option(
        "default",
        "--fusion",
        help="결합 방식: default(설정값), all(모든 방식 비교), 또는 이름 목록(쉼표 구분)",
    ),
    k: int = typer.Option(10, "--k", min=1, max=100, help="평가 깊이"),
    shared_data: Path = typer.Option(
        Path("../shared/data"), "--shared-data", help="nts_* 세트의 원본 데이터 폴더"
    ),
    keep_index: Path = typer.Option(
        None, "--keep-index", help="임시 색인을 지우지 않고 이 폴더에 남김 (분석용)"
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """검색 품질 평가: 평가 세트를 임시 폴더에 실제 청킹·임베딩·색인 코드로 색인한 뒤
    nDCG@10, Recall@5/10, MRR@10 을 계산합니다 (dense, sparse, hybrid 비교)."""
    from evals.beir import BeirError, load_beir
    from evals.retrieval_eval import evaluate_beir, evaluate_demo, resolve_fusions

    settings = get_settings()
    if (beir is None) == (builtin is None):
        fail("--beir 폴더 또는 --set 이름 중 하나만 지정하세요.")
    modes = _modes(mode)
    try:
        fusions = resolve_fusions(fusion, settings)
    except ValueError as e:
        fail(str(e))

    with tempfile.TemporaryDirectory(prefix="ct-evalset-") as tmp:
        try:
            if builtin == "demo":
                name = "demo"
                report = evaluate_demo(settings, modes, fusions, k=k, keep_dir=keep_index)
            else:
                if builtin is not None:
                    if builtin not in BUILT_IN_SETS:
                        known = ", ".join(BUILT_IN_SETS)
                        fail(f"알 수 없는 평가 세트입니다: '{builtin}'. 사용 가능: {known}")
                    docs = shared_data / "nts_hwp" / "docs.jsonl"
                    if not docs.is_file():
                        fail(
                            f"국세청 문서 데이터가 없습니다: {docs}",
                            hint="--shared-data 로 위치를 지정하세요.",
                        )
                    from evals.datasets.nts_titles.build import build_nts_sets

                    beir = build_nts_sets(docs, Path(tmp))[builtin]
                data = load_beir(beir)
                name = data.name
                if not data.judged_queries:
                    fail("평가할 질의가 없습니다 (qrels 에 관련 문서가 있는 질의가 없음).")
                report = evaluate_beir(data, settings, modes, fusions, k=k, keep_dir=keep_index)
        except BeirError as e:
            fail(e.message_ko)

    if as_json:
        if len(report) == 1:
            emit_json(next(iter(report.values())))
        else:
            emit_json(report)
    else:
        _print_report(name, report, k)


@app.command("chat")
def chat_eval(
    set_dir: Path = typer.Option(
        Path("evals/data/chat"), "--set", help="질문 세트 폴더 (questions.json)"
    ),
    data: Path = typer.Option(None, "--data", help="데모 문서가 수집된 데이터 폴더"),
    demo: bool = typer.Option(False, "--demo", help="임시 폴더에 데모 데이터를 만들어 평가"),
    mode: str = typer.Option("both", "--mode", help="chat, rag, both"),
    profile: str = typer.Option(None, "--profile", help="LLM 프로필 (tiny, small …)"),
    concurrency: int = typer.Option(1, "--concurrency", min=1, max=16, help="동시 대화 수"),
    limit: int = typer.Option(None, "--limit", min=1, help="종류별로 고르게 뽑은 이 개수의 질문만"),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """채팅 평가: 데모 질문 세트를 채팅 서비스와 단순 RAG(상위 5개 구절)로 묻고 인용·값·
    '찾지 못함'·유출·지연 시간을 집계합니다."""
    from evals.chat_eval import load_questions, run, spread

    if (data is None) == (not demo):
        fail("--data 폴더 또는 --demo 중 하나만 지정하세요.")
    if mode not in ("chat", "rag", "both"):
        fail(f"--mode 는 chat, rag, both 중 하나여야 합니다: '{mode}'")
    questions = spread(load_questions(set_dir), limit)
    modes = ["chat", "rag"] if mode == "both" else [mode]
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="ct-chateval-") as tmp:
        if demo:
            from evals.roadmap_eval import prepare_demo_dir

            data = Path(tmp)
            prepare_demo_dir(data)
        report = {
            m: run(settings, data, questions, mode=m, profile=profile, concurrency=concurrency)
            for m in modes
        }
    if as_json:
        emit_json(report)
        return
    for m, r in report.items():
        console.print(f"[bold]{m}[/] {r['overall']} 지연(p50/p95): {r['latency']}")
        if "raw_llm" in r:
            console.print(f"  LLM 단독(같은 프롬프트): {r['raw_llm']}")
