"""`ct llm ...` sub-commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="llm", no_args_is_help=True)
