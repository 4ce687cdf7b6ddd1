"""LLM extraction of a plan's prose fields, grounded in the document.

Only for a primary mention, only for the text/list fields the rules left empty (goal,
summary, technologies, data, beneficiaries, partners, kpis) — never numbers, years or
departments. The prompt and schema are files (``prompts/registry_extract``); the schema is cut
to the fields asked for, every string has a ``maxLength``. A reply that fails validation is
asked once more; every value is then located in the document (``grounding``) or dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from control_tower.llm.errors import LLMOutputError, LLMUnavailableError
from control_tower.registry.grounding import ground
from control_tower.registry.rules.doc import DocView
from control_tower.registry.rules.lines import CONTACT, METADATA, Line
from control_tower.registry.types import FieldValue, Mention

LLM_FIELDS = ("goal", "summary", "technologies", "data", "beneficiaries", "partners", "kpis")
TEXT_FIELDS = ("goal", "summary")
MAX_DOC_CHARS = 3000


class LLMExtractor(Protocol):
    def extract(self, *, title: str, text: str, fields: Sequence[str]) -> dict[str, Any]:
        """Values for ``fields`` read from ``text``: str for goal/summary, else list[str]."""
        ...


def subschema(schema: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    props = schema["properties"]
    return {
        "type": "object",
        "properties": {f: props[f] for f in fields},
        "required": list(fields),
        "additionalProperties": False,
    }


class StructuredLLMExtractor:
    """The real extractor over ``structured_output`` (guided ``json_schema`` decoding).

    The build checks reachability once; should the server die mid-build, the first
    connection failure is remembered and every later document fails at once instead of
    waiting for a timeout each (state per instance, i.e. per build)."""

    def __init__(self, settings: Any, *, prompt_name: str = "registry_extract") -> None:
        from control_tower.prompts import load_prompt

        self.settings = settings
        self.prompt = load_prompt(prompt_name)
        self.unavailable: LLMUnavailableError | None = None

    def extract(self, *, title: str, text: str, fields: Sequence[str]) -> dict[str, Any]:
        from control_tower.llm.structured import structured_output

        if self.unavailable is not None:
            raise self.unavailable
        schema = subschema(self.prompt.schema_ or {}, fields)
        messages = [("user", self.prompt.render(title=title, fields=", ".join(fields), text=text))]
        try:
            try:
                return dict(structured_output(self.settings, schema, messages))
            except LLMOutputError:  # one retry: a cut or malformed reply is often a one-off
                return dict(structured_output(self.settings, schema, messages))
        except LLMUnavailableError as exc:
            self.unavailable = exc
            raise


def document_text(lines: list[Line], limit: int = MAX_DOC_CHARS) -> str:
    """The body lines the model reads (no metadata or contact lines), cut at ``limit``."""
    body = [ln.text for ln in lines if not METADATA.match(ln.text) and not CONTACT.search(ln.text)]
    return "\n".join(body)[:limit]


def _grounded(view: DocView, lines: list[Line], field: str, raw: Any) -> FieldValue | None:
    if field in TEXT_FIELDS:
        if not isinstance(raw, str) or not raw.strip():
            return None
        src = ground(view, lines, raw)
        return FieldValue(value=raw.strip(), method="llm", source=src) if src else None
    if not isinstance(raw, list):
        return None
    kept: list[str] = []
    first = None
    for item in raw:
        if isinstance(item, str) and item.strip() and item.strip() not in kept:
            src = ground(view, lines, item)
            if src is not None:
                kept.append(item.strip())
                first = first or src
    return FieldValue(value=kept, method="llm", source=first) if kept else None


def fill_with_llm(
    view: DocView, lines: list[Line], mention: Mention, llm: LLMExtractor
) -> tuple[int, str | None]:
    """Fill the mention's empty prose fields in place; (fields filled, Korean error or None)."""
    missing = [f for f in LLM_FIELDS if f not in mention.fields]
    if not missing:
        return 0, None
    try:
        reply = llm.extract(title=mention.name, text=document_text(lines), fields=missing)
    except Exception as exc:  # noqa: BLE001 - any LLM failure falls back to the rules
        return 0, f"LLM 추출에 실패하여 규칙 추출 결과만 사용합니다: {type(exc).__name__}: {exc}"[
            :300
        ]
    if not isinstance(reply, dict):
        return 0, "LLM 답변이 올바른 형식이 아니어서 규칙 추출 결과만 사용합니다."
    filled = 0
    for field in missing:
        fv = _grounded(view, lines, field, reply.get(field))
        if fv is not None:
            mention.fields[field] = fv
            filled += 1
    return filled, None
