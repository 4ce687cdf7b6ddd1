"""`ct search`: hybrid search over the indexed documents, as a given user."""

from __future__ import annotations

import html
import re
from datetime import date

import typer
from rich.markup import escape
from rich.table import Table

from control_tower.cli.output import console, emit_json, fail
from control_tower.cli.principal import resolve_user
from control_tower.domain import Principal, SearchFilters, SearchHit
from control_tower.settings import get_settings


def parse_date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} 날짜 형식이 올바르지 않습니다: '{value}'", hint="예: 2025-03-01")


def hit_json(hit: SearchHit) -> dict:
    c = hit.citation
    return {
        "doc_id": c.doc_id,
        "title": c.title,
        "path": c.path,
        "department": c.department,
        "page": c.page,
        "section": c.section,
        "score": round(hit.score, 6),
        "text": hit.text,
        "snippet": hit.snippet,
        "chunk_id": hit.chunk_id,
        "citation": c.model_dump(mode="json"),
        "dense_rank": hit.dense_rank,
        "sparse_rank": hit.sparse_rank,
    }


def _location(hit: SearchHit) -> str:
    c = hit.citation
    parts = []
    if c.page is not None:
        parts.append(f"{c.page}쪽")
    if c.sheet:
        parts.append(f"{c.sheet}" + (f" {c.row}행" if c.row else ""))
    if c.section:
        parts.append(c.section)
    return " · ".join(parts)


def _print_table(query: str, user: Principal, hits: list[SearchHit], ms: float) -> None:
    who = f"{user.username} ({user.department})" if user.authenticated else "익명 (공개 문서만)"
    if not hits:
        console.print(f"'{escape(query)}' 검색 결과가 없습니다. [dim]사용자: {escape(who)}[/]")
        return
    table = Table(title=f"'{query}' 검색 결과 {len(hits)}건 — 사용자: {who}, {ms:.0f} ms")
    table.add_column("#", justify="right")
    table.add_column("문서")
    table.add_column("부서")
    table.add_column("위치")
    table.add_column("내용")
    table.add_column("점수", justify="right")
    for i, hit in enumerate(hits, start=1):
        table.add_row(
            str(i),
            escape(hit.citation.title),
            escape(hit.citation.department),
            escape(_location(hit)),
            _snippet_markup(hit.snippet),
            f"{hit.score:.3f}",
        )
    console.print(table)


def _snippet_markup(snippet: str) -> str:
    """HTML snippet (escaped text + <mark>) → Rich markup with the marks in bold yellow."""
    out = []
    for i, part in enumerate(re.split(r"</?mark>", snippet)):
        text = escape(html.unescape(part))
        out.append(f"[bold yellow]{text}[/bold yellow]" if i % 2 else text)
    return "".join(out)


def search(
    query: str = typer.Argument(..., help="검색어 (자연어 문장, 키워드, 공고번호 등)"),
    k: int = typer.Option(10, "--k", "-k", help="결과 개수 (1–100)"),
    department: list[str] = typer.Option(
        None, "--department", "-d", help="이 부서의 문서만 (여러 번 지정 가능)"
    ),
    doc_type: list[str] = typer.Option(None, "--doc-type", help="문서 형식만 (hwp, pdf, …)"),
    date_from: str = typer.Option(None, "--date-from", help="문서 날짜 시작 (YYYY-MM-DD)"),
    date_to: str = typer.Option(None, "--date-to", help="문서 날짜 끝 (YYYY-MM-DD)"),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid, dense, sparse"),
    user: str = typer.Option(
        None,
        "--user",
        "-u",
        help="이 사용자의 권한으로 검색합니다. 지정하지 않으면 익명 사용자로 "
        "검색하며 공개(public) 문서만 결과에 나옵니다.",
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON으로 출력"),
) -> None:
    """문서를 검색합니다 (키워드 BM25 + 의미 검색 결합, 접근 권한 적용).

    --user 없이 실행하면 익명 사용자로 검색하므로 공개 문서만 보입니다.
    """
    from control_tower.retrieval import QueryError, Retriever

    settings = get_settings()
    filters = SearchFilters(
        departments=department or [],
        doc_types=doc_type or [],
        date_from=parse_date(date_from, "--date-from"),
        date_to=parse_date(date_to, "--date-to"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        fail("--date-from 이 --date-to 보다 늦습니다.")
    principal = resolve_user(settings, user)
    try:
        Retriever._check(query, k, mode)
    except QueryError as e:
        fail(e.message_ko)
    try:
        retriever = Retriever(settings)
    except Exception as e:  # the index or the embedding model cannot be opened
        fail(f"검색 색인을 열 수 없습니다: {e}", hint="ct doctor 로 상태를 확인하세요.")
    from control_tower.retrieval.audited import audited_search
    from control_tower.store import open_store

    try:
        hits, ms = audited_search(
            retriever,
            open_store(settings),
            principal,
            query,
            surface="cli",
            k=k,
            filters=filters,
            mode=mode,
        )
    except QueryError as e:
        fail(e.message_ko)
    if as_json:
        emit_json(
            {
                "query": query,
                "user": principal.username,
                "mode": mode,
                "results": [hit_json(h) for h in hits],
            }
        )
    else:
        _print_table(query, principal, hits, ms)
