"""The one way the application gets a chat model: ``chat_model(settings, **overrides)``.

It is a LangChain ``ChatOpenAI`` bound to the OpenAI-compatible endpoint (embedded vLLM or
``CT_LLM_URL``) and the served model name, so agents can ``invoke``, ``stream``, ``bind_tools``
and ``with_structured_output`` on it. ``llm_errors()`` turns the OpenAI client's exceptions
into the Korean ``LLMUnavailableError`` / ``LLMOutputError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import openai
from langchain_openai import ChatOpenAI

from control_tower.llm.errors import LLMError, LLMOutputError, LLMUnavailableError
from control_tower.llm.profiles import served_model_name
from control_tower.settings import Settings


def chat_model(settings: Settings, **overrides: Any) -> ChatOpenAI:
    """A ``ChatOpenAI`` configured from settings; keyword arguments override any field.

    ``repetition_penalty`` is not an OpenAI parameter, so it travels in ``extra_body`` (vLLM
    reads it there); without it small models loop until ``max_tokens``. Pass
    ``repetition_penalty=None`` to leave the server's default.
    """
    repetition_penalty = overrides.pop("repetition_penalty", settings.llm_repetition_penalty)
    extra_body = dict(overrides.pop("extra_body", None) or {})
    if repetition_penalty is not None:
        extra_body.setdefault("repetition_penalty", repetition_penalty)
    params: dict[str, Any] = {
        "model": served_model_name(settings),
        "base_url": settings.llm_base_url,
        "api_key": settings.llm_api_key,
        "temperature": settings.llm_temperature,
        "max_tokens": settings.llm_max_tokens,
        "timeout": settings.llm_timeout_s,
        "max_retries": settings.llm_max_retries,
        "streaming": True,
        "stream_usage": True,
        "extra_body": extra_body or None,
    }
    params.update(overrides)
    return ChatOpenAI(**params)


def unavailable_error(
    settings: Settings, cause: BaseException | None = None
) -> LLMUnavailableError:
    detail = f" ({type(cause).__name__})" if cause is not None else ""
    if settings.llm_is_external:
        hint = f"CT_LLM_URL({settings.llm_base_url})이 맞는지, 그 서버가 실행 중인지 확인하세요."
    else:
        hint = (
            "`ct llm serve`로 내장 LLM 서버를 실행하거나(또는 `ct serve`), "
            "외부 서버를 쓰려면 CT_LLM_URL을 지정하세요. 상태 확인: `ct llm check`"
        )
    return LLMUnavailableError(
        f"LLM 서버에 연결할 수 없습니다: {settings.llm_base_url}{detail}", hint=hint
    )


def translate_error(settings: Settings, exc: BaseException) -> LLMError | None:
    """Map an OpenAI client exception to our Korean error; None if it is not one of those."""
    model = served_model_name(settings)
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        if isinstance(exc, openai.APITimeoutError):
            return LLMUnavailableError(
                f"LLM 서버가 {settings.llm_timeout_s:.0f}초 안에 답하지 않았습니다.",
                code="llm_timeout",
                hint="서버 부하를 확인하거나 CT_LLM_TIMEOUT_S를 늘리세요.",
            )
        return unavailable_error(settings, exc)
    if isinstance(exc, openai.NotFoundError):
        return LLMUnavailableError(
            f"LLM 서버가 모델 '{model}'을(를) 제공하지 않습니다.",
            code="llm_model_not_served",
            hint="CT_LLM_MODEL(또는 CT_LLM_PROFILE)이 서버의 모델 이름과 같은지 "
            "`ct llm check`로 확인하세요.",
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMUnavailableError(
            "LLM 서버가 인증을 거부했습니다.",
            code="llm_auth",
            hint="CT_LLM_API_KEY를 확인하세요.",
        )
    if isinstance(exc, openai.BadRequestError):
        return LLMOutputError(
            f"LLM 서버가 요청을 거부했습니다: {_server_message(exc)}",
            code="llm_bad_request",
            hint="입력이 너무 길면 질문이나 문맥을 줄이세요.",
        )
    if isinstance(exc, openai.LengthFinishReasonError):  # a structured reply cut at max_tokens
        return LLMOutputError(
            "LLM 답변이 max_tokens에서 잘려 형식(스키마)을 채우지 못했습니다.",
            code="llm_cut",
            hint="스키마의 문자열에 maxLength를 두거나 max_tokens를 늘리세요.",
        )
    if isinstance(exc, openai.APIStatusError):
        return LLMUnavailableError(
            f"LLM 서버 오류 (HTTP {exc.status_code}): {_server_message(exc)}",
            code="llm_server_error",
            hint="LLM 서버 로그를 확인하세요.",
        )
    return None


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        msg = body.get("message") or (body.get("error") or {}).get("message")
        if msg:
            return str(msg)[:300]
    return str(exc)[:300]


@contextmanager
def llm_errors(settings: Settings) -> Iterator[None]:
    """Run LLM calls inside this block to get Korean errors instead of OpenAI exceptions."""
    try:
        yield
    except LLMError:
        raise
    except Exception as exc:
        mapped = translate_error(settings, exc)
        if mapped is None:
            raise
        raise mapped from exc
