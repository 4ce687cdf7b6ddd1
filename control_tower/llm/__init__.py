"""LLM client layer: chat model factory, structured output, endpoint check, profiles, errors."""

from importlib import import_module
from typing import Any

from control_tower.llm.errors import (
    LLMConfigError,
    LLMError,
    LLMOutputError,
    LLMServerError,
    LLMUnavailableError,
)
from control_tower.llm.profiles import (
    PROFILES,
    Device,
    ServingProfile,
    detect_device,
    get_profile,
    served_model_name,
)

# The client side imports openai + langchain (~3 s); load it on first use so that `ct` commands
# which never talk to an LLM start fast.
_LAZY = {
    "chat_model": "control_tower.llm.client",
    "llm_errors": "control_tower.llm.client",
    "translate_error": "control_tower.llm.client",
    "EndpointStatus": "control_tower.llm.endpoint",
    "check_endpoint": "control_tower.llm.endpoint",
    "astructured_output": "control_tower.llm.structured",
    "response_format": "control_tower.llm.structured",
    "structured_output": "control_tower.llm.structured",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PROFILES",
    "Device",
    "EndpointStatus",
    "LLMConfigError",
    "LLMError",
    "LLMOutputError",
    "LLMServerError",
    "LLMUnavailableError",
    "ServingProfile",
    "astructured_output",
    "chat_model",
    "check_endpoint",
    "detect_device",
    "get_profile",
    "llm_errors",
    "response_format",
    "served_model_name",
    "structured_output",
    "translate_error",
]
