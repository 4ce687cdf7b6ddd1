"""Whether this build may use the LLM, decided once: one reachability check, one message.

A dead or missing server must not cost a timeout per document or per field; the build goes
on with rules alone and says so once, in Korean."""

from __future__ import annotations

from control_tower.settings import Settings

UNAVAILABLE = (
    "LLM 서버에 연결할 수 없어 규칙(표·문장 패턴)으로만 사업 정보를 추출했습니다: {detail}"
)


def extractor_for(settings: Settings):  # noqa: ANN201 - LLMExtractor | None, note
    from control_tower.llm.endpoint import check_endpoint
    from control_tower.registry.llm_extract import StructuredLLMExtractor

    status = check_endpoint(settings, timeout_s=3.0)
    if not status.ok:
        return None, UNAVAILABLE.format(detail=status.detail or status.code or "응답 없음")
    return StructuredLLMExtractor(settings), None
