"""Index errors with a stable code, a Korean message and a Korean fix."""

from __future__ import annotations


class IndexConfigError(RuntimeError):
    """The index on disk cannot be used with the current configuration (model change, …)."""

    def __init__(self, code: str, message_ko: str, hint: str | None = None):
        self.code = code
        self.message_ko = message_ko
        self.hint = hint
        super().__init__(f"{code}: {message_ko}" + (f" — {hint}" if hint else ""))
