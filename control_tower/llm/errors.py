"""LLM errors: a stable machine code, a Korean message for people and a Korean fix hint."""

from __future__ import annotations


class LLMError(Exception):
    """Base of every error the LLM layer raises.

    ``code`` is stable for machines (JSON output, API responses, tests); ``message`` and
    ``hint`` are Korean text for people.
    """

    default_code = "llm_error"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        self.code = code or self.default_code
        self.message = message
        self.hint = hint
        super().__init__(f"[{self.code}] {message}")

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class LLMUnavailableError(LLMError):
    """The endpoint does not answer (down, wrong URL, timeout) or does not serve the model."""

    default_code = "llm_unavailable"


class LLMOutputError(LLMError):
    """The model answered, but the answer is unusable (not JSON, not schema-valid, empty)."""

    default_code = "llm_invalid_output"


class LLMConfigError(LLMError):
    """A setting names something that does not exist (unknown profile, missing model folder)."""

    default_code = "llm_config"


class LLMServerError(LLMError):
    """The embedded vLLM server could not be started or did not become ready."""

    default_code = "llm_server"
