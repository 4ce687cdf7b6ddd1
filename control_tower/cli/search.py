"""`ct search`."""

from __future__ import annotations


def search() -> None:
    """Placeholder until implemented."""
    raise SystemExit("not implemented yet")
