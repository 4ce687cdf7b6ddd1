"""LLM client layer: chat model factory, structured output, endpoint check, profiles, errors."""

from control_tower.llm.client import chat_model, llm_errors, translate_error
from control_tower.llm.endpoint import EndpointStatus, check_endpoint
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
from control_tower.llm.structured import astructured_output, response_format, structured_output

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
