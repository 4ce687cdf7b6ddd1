"""Is the LLM endpoint usable? One cheap ``GET /v1/models`` (used by `ct doctor`, /readyz)."""

from __future__ import annotations

import time

import httpx
from pydantic import BaseModel, Field

from control_tower.llm.client import unavailable_error
from control_tower.llm.profiles import served_model_name
from control_tower.settings import Settings


class EndpointStatus(BaseModel):
    base_url: str
    model: str = Field(description="The model name the application asks for.")
    external: bool = Field(description="True when CT_LLM_URL points at another server.")
    reachable: bool = False
    models: list[str] = Field(default_factory=list, description="What the server lists.")
    latency_ms: float | None = None
    code: str | None = Field(None, description="Machine code of the problem, if any.")
    detail: str = ""
    hint: str | None = None

    @property
    def model_listed(self) -> bool:
        return self.model in self.models

    @property
    def ok(self) -> bool:
        return self.reachable and self.model_listed


def check_endpoint(settings: Settings, timeout_s: float = 5.0) -> EndpointStatus:
    status = EndpointStatus(
        base_url=settings.llm_base_url,
        model=served_model_name(settings),
        external=settings.llm_is_external,
    )
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"}
    started = time.perf_counter()
    try:
        r = httpx.get(f"{status.base_url}/models", headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        err = unavailable_error(settings, exc)
        status.code, status.detail, status.hint = err.code, err.message, err.hint
        return status
    status.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    if r.status_code in (401, 403):
        status.reachable = True
        status.code = "llm_auth"
        status.detail = f"LLM 서버가 인증을 거부했습니다 (HTTP {r.status_code})."
        status.hint = "CT_LLM_API_KEY를 확인하세요."
        return status
    try:
        r.raise_for_status()
        status.models = [m["id"] for m in r.json()["data"]]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        status.code = "llm_not_openai"
        status.detail = (
            f"{status.base_url}/models 가 OpenAI 호환 응답을 주지 않습니다 (HTTP {r.status_code})."
        )
        status.hint = "CT_LLM_URL이 …/v1 로 끝나는 OpenAI 호환 주소인지 확인하세요."
        return status
    status.reachable = True
    if status.model_listed:
        status.detail = f"{status.base_url} — 모델 '{status.model}' 응답 {status.latency_ms} ms"
    else:
        status.code = "llm_model_not_served"
        served = ", ".join(status.models) or "없음"
        status.detail = f"서버는 응답하지만 모델 '{status.model}'이 없습니다 (제공 모델: {served})."
        status.hint = "CT_LLM_MODEL 또는 CT_LLM_PROFILE을 서버의 모델 이름에 맞추세요."
    return status
