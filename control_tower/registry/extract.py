"""Per-document extraction of project mentions: rules first, the LLM only for prose fields.

``extract_mentions`` is what the registry build calls for every ingested document. Rules
read the standard shapes (overview table, ``○ 사업명:`` bullets, budget tables, the title of
a plan); a reachable LLM then fills only the primary mention's text/list fields the rules
left empty, and only with values found in the document (``grounding``). With ``llm=None``
the result is rules alone; an LLM failure is reported once in ``llm_error``, never retried
per field.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from control_tower.domain import ParsedDocument
from control_tower.registry.llm_extract import LLMExtractor, fill_with_llm
from control_tower.registry.rules.budget_table import budget_mentions
from control_tower.registry.rules.doc import DocView
from control_tower.registry.rules.lines import logical_lines
from control_tower.registry.rules.primary import primary_mention
from control_tower.registry.types import Mention, SourceRef


class ExtractResult(BaseModel):
    mentions: list[Mention]
    llm_fields: int = 0  # field values filled by the LLM
    llm_error: str | None = None  # Korean message if the LLM failed for this document


def extract_mentions(
    parsed: ParsedDocument,
    base: SourceRef,
    *,
    departments: Sequence[str],
    llm: LLMExtractor | None = None,
) -> ExtractResult:
    view = DocView(parsed, base)
    lines = logical_lines(view)
    primary = primary_mention(view, lines, departments)
    mentions: list[Mention] = [primary] if primary else []
    own = {primary.name} if primary else set()
    mentions += [m for m in budget_mentions(view, departments) if m.name not in own]
    llm_fields, llm_error = 0, None
    if primary is not None and llm is not None:
        llm_fields, llm_error = fill_with_llm(view, lines, primary, llm)
    return ExtractResult(mentions=mentions, llm_fields=llm_fields, llm_error=llm_error)
