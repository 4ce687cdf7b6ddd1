"""The seam between section drafting and the LLM: messages + JSON schema in, a dict out.

``SectionWriter`` is what drafting depends on, so unit tests pass a fake and the real one is
a thin wrapper over ``structured_output`` (guided ``json_schema`` decoding, bounded strings,
modest ``max_tokens`` and a repetition penalty so the small CPU models do not loop). The
prompt is ``prompts/roadmap_section.md`` plus one instruction file per section.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from control_tower.prompts import load_prompt
from control_tower.roadmap.facts import SectionFacts

Messages = list[tuple[str, str]]
MAX_TOKENS = 400  # 2 paragraphs × 160 chars: Korean is ~1 token/char on Qwen2.5, + JSON
REPETITION_PENALTY = 1.1


class SectionWriter(Protocol):
    def write(self, messages: Messages, schema: dict[str, Any]) -> dict[str, Any]:
        """The model's JSON reply to ``messages``, following ``schema``."""
        ...


class StructuredSectionWriter:
    """The real writer: one guided-JSON request per call (thread-safe: no shared client)."""

    def __init__(self, settings: Any, *, max_tokens: int = MAX_TOKENS) -> None:
        self.settings = settings
        self.max_tokens = max_tokens

    def write(self, messages: Messages, schema: dict[str, Any]) -> dict[str, Any]:
        import openai

        from control_tower.llm.errors import LLMOutputError
        from control_tower.llm.structured import structured_output

        penalty = getattr(self.settings, "llm_repetition_penalty", None) or REPETITION_PENALTY
        try:
            reply = structured_output(
                self.settings, schema, messages, max_tokens=self.max_tokens,
                repetition_penalty=penalty,
            )  # fmt: skip
        except openai.LengthFinishReasonError as exc:  # the client refuses a reply cut at
            raise LLMOutputError(  # max_tokens itself, before our own JSON check sees it
                "LLM 답변이 max_tokens에서 잘려 JSON이 완성되지 않았습니다.",
                code="llm_invalid_json", hint="문단을 더 짧게 쓰도록 하세요.",
            ) from exc  # fmt: skip
        return dict(reply)


def section_schema() -> dict[str, Any]:
    schema = load_prompt("roadmap_section").schema_
    if schema is None:
        raise RuntimeError("prompts/roadmap_section.schema.json이 없습니다.")
    return schema


def section_instruction(key: str) -> str:
    return load_prompt(f"roadmap_section_{key}").template


def section_messages(facts: SectionFacts) -> Messages:
    instruction = section_instruction(facts.key)
    cites = ", ".join(f"[{n}]" for n in facts.citations) or "없음(번호를 붙이지 마세요)"
    prompt = load_prompt("roadmap_section").render(
        title=facts.title, instruction=instruction, facts=facts.text, citations=cites
    )
    return [("user", prompt)]


def retry_messages(first: Messages, reply: dict[str, Any] | None, problems: list[str]) -> Messages:
    """The first request, the rejected reply and what was wrong with it, to write again."""
    again = "앞의 답변에는 다음 문제가 있습니다: " + " ".join(problems)
    again += " 사실 자료에 있는 숫자와 출처 번호만 사용해 다시 쓰세요. JSON으로만 답하세요."
    if reply is None:
        return [*first, ("user", again)]
    return [*first, ("assistant", json.dumps(reply, ensure_ascii=False)), ("user", again)]


def reply_text(reply: Any) -> str | None:
    """The reply's paragraphs as section text (blank-line separated); None if malformed."""
    paras = reply.get("paragraphs") if isinstance(reply, dict) else None
    if not isinstance(paras, list) or not all(isinstance(p, str) for p in paras):
        return None
    cleaned = [" ".join(p.split()) for p in paras]
    return "\n\n".join(p for p in cleaned if p)
