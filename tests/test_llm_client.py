"""Client factory configuration and error mapping against a real closed port (no mocks)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage
from pydantic import BaseModel, Field

from control_tower.llm import (
    LLMOutputError,
    LLMUnavailableError,
    chat_model,
    check_endpoint,
    llm_errors,
    response_format,
    structured_output,
)
from control_tower.llm.structured import _validated
from control_tower.settings import Settings


def _closed_port() -> int:
    # Bind, read the number, close: nothing listens there afterwards.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def llm_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for var in ("CT_LLM_URL", "CT_LLM_MODEL", "CT_LLM_PROFILE", "CT_LLM_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        llm_port=_closed_port(),
        llm_max_retries=0,
        llm_timeout_s=5,
    )


def test_chat_model_is_bound_to_endpoint_and_profile(llm_settings: Settings) -> None:
    llm = chat_model(llm_settings)
    assert llm.openai_api_base == llm_settings.llm_base_url
    assert llm.model_name == "tiny"
    assert llm.streaming is True
    assert llm.max_retries == 0
    assert llm.request_timeout == 5
    assert llm.max_tokens == llm_settings.llm_max_tokens
    assert llm.temperature == llm_settings.llm_temperature
    assert llm.extra_body == {"repetition_penalty": llm_settings.llm_repetition_penalty}


def test_chat_model_overrides_and_external_url(llm_settings: Settings) -> None:
    s = llm_settings.model_copy(
        update={"llm_url": "http://gpu-box:8000/v1/", "llm_model": "kanana-8b"}
    )
    llm = chat_model(
        s, max_tokens=7, repetition_penalty=1.3, extra_body={"top_k": 20}, streaming=False
    )
    assert llm.openai_api_base == "http://gpu-box:8000/v1"
    assert llm.model_name == "kanana-8b"
    assert llm.max_tokens == 7
    assert llm.streaming is False
    assert llm.extra_body == {"top_k": 20, "repetition_penalty": 1.3}
    assert chat_model(s, repetition_penalty=None).extra_body is None


def test_invoke_against_closed_port_raises_korean_unavailable(llm_settings: Settings) -> None:
    llm = chat_model(llm_settings)
    with pytest.raises(LLMUnavailableError) as info, llm_errors(llm_settings):
        llm.invoke("안녕하세요")
    err = info.value
    assert err.code == "llm_unavailable"
    assert err.message.startswith("LLM 서버에 연결할 수 없습니다")
    assert llm_settings.llm_base_url in err.message
    assert "ct llm serve" in err.hint


def test_structured_output_against_closed_port(llm_settings: Settings) -> None:
    class Answer(BaseModel):
        text: str = Field(max_length=20)

    with pytest.raises(LLMUnavailableError):
        structured_output(llm_settings, Answer, "질문")


def test_external_url_hint_names_the_url(llm_settings: Settings) -> None:
    s = llm_settings.model_copy(update={"llm_url": f"http://127.0.0.1:{_closed_port()}/v1"})
    with pytest.raises(LLMUnavailableError) as info, llm_errors(s):
        chat_model(s).invoke("안녕")
    assert "CT_LLM_URL" in info.value.hint


def test_check_endpoint_when_nothing_listens(llm_settings: Settings) -> None:
    status = check_endpoint(llm_settings, timeout_s=2)
    assert not status.ok and not status.reachable
    assert status.code == "llm_unavailable"
    assert "연결할 수 없습니다" in status.detail
    assert status.hint
    assert status.model == "tiny"


def test_response_format_carries_max_length() -> None:
    class Idea(BaseModel):
        title: str = Field(max_length=40)
        tags: list[str] = Field(max_length=3)

    rf = response_format(Idea)
    assert rf["type"] == "json_schema"
    assert rf["json_schema"]["name"] == "Idea"
    props = rf["json_schema"]["schema"]["properties"]
    assert props["title"]["maxLength"] == 40
    assert props["tags"]["maxItems"] == 3
    # OpenAI-style names allow only [A-Za-z0-9_-]; anything else becomes "_".
    assert response_format({"title": "답변 v2", "type": "object"})["json_schema"]["name"] == (
        "___v2"
    )


class _Pick(BaseModel):
    department: str = Field(max_length=10)
    score: int = Field(ge=0, le=5)


def _reply(text: str, finish: str = "stop") -> AIMessage:
    return AIMessage(content=text, response_metadata={"finish_reason": finish})


def test_validation_of_parsed_output() -> None:
    ok = _validated(_Pick, _reply('{"department": "교통과", "score": 3}'))
    assert ok == _Pick(department="교통과", score=3)
    with pytest.raises(LLMOutputError) as info:
        _validated(_Pick, _reply('{"department": "교통과", "score": 9}'))
    assert info.value.code == "llm_schema_invalid"
    with pytest.raises(LLMOutputError) as info:
        _validated(_Pick, _reply('{"department": "교통과", "sc', finish="length"))
    assert info.value.code == "llm_invalid_json"
    assert "max_tokens" in info.value.message
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    assert _validated(schema, _reply('{"n": 1}')) == {"n": 1}
    with pytest.raises(LLMOutputError):
        _validated(schema, _reply('{"n": "x"}'))


def test_a_structured_reply_cut_at_max_tokens_is_an_output_error(llm_settings: Settings) -> None:
    """The OpenAI client raises ``LengthFinishReasonError`` itself for a cut ``response_format``
    reply; it must become our Korean output error (retry/fallback), not escape as a crash."""
    import openai
    from openai.types.chat import ChatCompletion

    from control_tower.llm.client import translate_error
    from control_tower.llm.errors import LLMOutputError

    completion = ChatCompletion.model_validate(
        {"id": "x", "object": "chat.completion", "created": 0, "model": "tiny",
         "choices": [{"index": 0, "finish_reason": "length",
                      "message": {"role": "assistant", "content": '{"paragraphs": ["가'}}]}
    )  # fmt: skip
    err = translate_error(llm_settings, openai.LengthFinishReasonError(completion=completion))
    assert isinstance(err, LLMOutputError) and err.code == "llm_cut" and "잘려" in err.message
