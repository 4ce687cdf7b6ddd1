"""`ct chat`: the assistant in a terminal — streamed tokens, visible tool steps, or one JSON turn.

The same ChatService as the web page and the APIs, run as ``--user`` (anonymous: public
documents only), so a terminal answer is cited and permission-scoped exactly like the others.
"""

from __future__ import annotations

import asyncio

import typer
from rich.markup import escape

from control_tower.cli.output import console, emit_json, fail
from control_tower.cli.principal import resolve_user
from control_tower.settings import get_settings


def _service(settings):  # noqa: ANN001, ANN202
    from control_tower.chat.service import ChatService, default_model_factory
    from control_tower.retrieval import Retriever
    from control_tower.store import open_store

    store = open_store(settings)
    factory = default_model_factory(settings)
    return ChatService(settings, store, Retriever(settings), model_factory=factory)


def turn_json(answer) -> dict:  # noqa: ANN001 - ChatAnswer
    keep = ("n", "doc_id", "title", "path", "page", "section", "text", "url")
    return {
        "conversation_id": answer.conversation_id,
        "answer": answer.answer,
        "citations": [{k: getattr(c, k) for k in keep} for c in answer.citations],
        "steps": [{"tool": s.tool, "args": s.args, "seconds": s.seconds} for s in answer.steps],
        "not_found": answer.not_found,
        "fallback": answer.fallback,
    }


async def _stream_turn(service, principal, question: str, cid: str | None) -> str | None:  # noqa: ANN001
    """Print one turn as it streams; return its conversation id."""
    out = console.file
    async for event in service.astream(principal, question, conversation_id=cid, surface="cli"):
        kind, data = event["type"], event["data"]
        if kind == "conversation":
            cid = data["conversation_id"]
        elif kind == "step" and data["tool"] != "route":
            if data["phase"] == "start":
                console.print(f"[dim]… {escape(data['tool'])} {escape(str(data['args']))[:120]}[/]")
            else:
                console.print(
                    f"[dim]  ✓ {escape(data.get('summary') or '')} ({data['seconds']}초)[/]"
                )
        elif kind == "token":
            out.write(data["text"])
            out.flush()
        elif kind == "done":
            console.print("\n\n[bold]답변[/]\n" + escape(data["answer"]))
            for c in data["citations"]:
                where = f", {c['page']}쪽" if c.get("page") else ""
                console.print(
                    f"[cyan][{c['n']}][/] {escape(c['title'])} ({escape(c['path'])}{where})"
                )
        elif kind == "error":
            console.print(f"\n[bold red]오류:[/] {escape(data['message'])}")
    return cid


def chat(
    question: str = typer.Argument(None, help="한 번만 묻고 끝낼 질문 (없으면 대화 모드)"),
    user: str = typer.Option(None, "--user", help="이 사용자의 권한으로 답합니다"),
    conversation: str = typer.Option(None, "--conversation", help="이어서 할 대화 ID"),
    as_json: bool = typer.Option(False, "--json", help="한 번의 답변을 JSON으로 출력"),
) -> None:
    """AI 비서와 대화합니다: 문서·사업 등록부·연계·로드맵을 근거로, 출처를 붙여 답합니다."""
    from control_tower.chat.conversations import ConversationNotFound
    from control_tower.chat.service import ChatError

    settings = get_settings()
    principal = resolve_user(settings, user)
    service = _service(settings)
    try:
        if as_json:
            if not question:
                fail("--json 에는 질문이 필요합니다.", hint='예: ct chat --user 이름 --json "질문"')
            answer = asyncio.run(service.aask(principal, question, conversation_id=conversation))
            emit_json(turn_json(answer))
            return
        if question:
            asyncio.run(_stream_turn(service, principal, question, conversation))
            return
        console.print("[bold]AI 비서[/] — 질문을 입력하세요 (끝내려면 빈 줄 또는 Ctrl+D).")
        cid = conversation
        while True:
            try:
                line = input("\n질문> ").strip()
            except EOFError:
                break
            if not line or line in ("/exit", "/quit", "종료"):
                break
            cid = asyncio.run(_stream_turn(service, principal, line, cid))
    except ConversationNotFound:
        fail(
            f"대화를 찾을 수 없습니다: '{conversation}'",
            hint="`--conversation` 없이 새 대화를 시작하세요.",
        )
    except ChatError as exc:
        fail(exc.message_ko)
