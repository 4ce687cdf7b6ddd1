"""`ct ingest`."""

from __future__ import annotations


def ingest() -> None:
    """Placeholder until implemented."""
    raise SystemExit("not implemented yet")
