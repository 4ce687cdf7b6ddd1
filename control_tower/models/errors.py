"""Errors raised while preparing or loading embedded models: a stable code + a Korean message."""

from __future__ import annotations


class ModelError(Exception):
    """A model could not be prepared or loaded.

    ``code`` is stable for machines (JSON output, tests); ``message`` and ``hint`` are Korean
    text for people.
    """

    def __init__(self, code: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "hint": self.hint}
