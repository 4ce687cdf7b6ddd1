"""The link's Korean sentence: a deterministic one always, an LLM one when asked (and cached
by the caller). The LLM only rewords what the features decided; it never changes the type.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from control_tower.korean import josa
from control_tower.linker.types import Link
from control_tower.registry.types import ProjectCard


def rule_rationale(link: Link, a: ProjectCard, b: ProjectCard) -> str:
    """One sentence from the type, the shared components and the names."""
    an, bn = f"「{a.name}」", f"「{b.name}」"
    comp = link.shared[0] if link.shared else "유사한 기능"
    more = ", ".join(link.shared[:3])
    if link.type == "중복":
        return (
            f"{josa(an, '과', '와')} {bn}는 모두 {josa(comp, '을', '를')} 중심으로 한 같은 성격의 "
            f"사업으로, 유사·중복 여부를 검토해 통합하거나 역할을 나눠야 합니다."
        )
    if link.type == "선후":
        return (
            f"{josa(bn, '은', '는')} {josa(an, '이', '가')} 제공하는 {josa(comp, '을', '를')} "
            f"사용하므로 {an} 구축이 먼저 이루어져야 합니다."
        )
    return (
        f"{josa(an, '과', '와')} {bn}는 {josa(more or comp, '을', '를')} 함께 다루므로 "
        f"데이터·시설의 연계와 공동 활용을 검토할 만합니다."
    )


class RationaleAnswer(BaseModel):
    rationale: str = Field(max_length=200)


def rationale_prompt_inputs(link: Link, a: ProjectCard, b: ProjectCard) -> dict[str, str]:
    """The values ``prompts/link_rationale.md`` needs (Korean, short)."""
    ev = {e.card: e.text for e in link.evidence}
    return {
        "type": link.type,
        "a_name": a.name,
        "a_department": a.lead_department or "",
        "b_name": b.name,
        "b_department": b.lead_department or "",
        "shared": ", ".join(link.shared[:5]) or "(없음)",
        "a_evidence": ev.get(a.id, "")[:300],
        "b_evidence": ev.get(b.id, "")[:300],
        "direction": "A가 선행(제공), B가 후행(사용)" if link.type == "선후" else "방향 없음",
    }


def write_rationale(settings, link: Link, a: ProjectCard, b: ProjectCard) -> Link:
    """A copy of ``link`` with an LLM sentence; the rule sentence when the LLM fails."""
    from control_tower.llm.errors import LLMError
    from control_tower.llm.structured import structured_output
    from control_tower.prompts import load_prompt

    prompt = load_prompt("link_rationale")
    messages = [("user", prompt.render(**rationale_prompt_inputs(link, a, b)))]
    schema = prompt.schema_ or RationaleAnswer
    try:
        answer = structured_output(settings, schema, messages, max_tokens=200)
        text = answer["rationale"] if isinstance(answer, dict) else answer.rationale
    except (LLMError, KeyError, TypeError):
        text = ""
    text = " ".join((text or "").split())
    if not text:
        return link.model_copy(
            update={"rationale": rule_rationale(link, a, b), "rationale_method": "rule"}
        )
    return link.model_copy(update={"rationale": text[:200], "rationale_method": "llm"})
