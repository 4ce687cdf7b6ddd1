"""`ct`: the single command-line entry point. Each sub-command lives in its own module."""

from __future__ import annotations

import typer

from control_tower.cli import (
    chat,
    db,
    doctor,
    ideas,
    ingest,
    jobs,
    links,
    llm,
    mcp,
    models,
    registry,
    review,
    roadmap,
    search,
    serve,
    users,
)
from control_tower.cli import eval as eval_cmd

app = typer.Typer(
    name="ct",
    help="Control Tower (AI 혁신 컨트롤타워) — 문서 수집·검색·에이전트 CLI",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(models.app, name="models")
app.add_typer(llm.app, name="llm")
app.add_typer(eval_cmd.app, name="eval")
app.add_typer(db.app, name="db")
app.add_typer(jobs.app, name="jobs")
app.add_typer(users.users_app, name="users")
app.add_typer(users.departments_app, name="departments")
app.add_typer(registry.app, name="registry")
app.add_typer(ideas.app, name="ideas")
app.add_typer(roadmap.app, name="roadmap")
app.command("ingest")(ingest.ingest)
app.command("search")(search.search)
app.command("links")(links.links)
app.command("review")(review.review)
app.command("doctor")(doctor.doctor)
app.command("serve")(serve.serve)
app.command("chat")(chat.chat)
app.command("mcp")(mcp.mcp)


def main() -> None:
    app()
