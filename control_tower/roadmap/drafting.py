"""Section drafting: LLM prose over the fact sheet, validated, else the marked template.

Per section: ask the writer, validate the prose against the facts, ask once more with the
problems named, then fall back to the template with a note saying why. When the server is
unreachable, no later section asks again (a down server would otherwise cost one timeout
per section): they all take the template at once with the same note. Sections run a few at
a time because vLLM's throughput with 4 requests in flight is ~4× that of one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from typing import Any

from control_tower.llm.errors import LLMConfigError, LLMError, LLMUnavailableError
from control_tower.roadmap.facts import section_facts
from control_tower.roadmap.section_writer import (
    SectionWriter,
    StructuredSectionWriter,
    reply_text,
    retry_messages,
    section_instruction,
    section_messages,
    section_schema,
)
from control_tower.roadmap.templates import template_text
from control_tower.roadmap.types import SECTION_KEYS, SECTION_TITLES, RoadmapStructure, Section
from control_tower.roadmap.validate_prose import validate_prose

__all__ = ["SectionWriter", "StructuredSectionWriter", "draft_section", "draft_sections"]
Progress = Callable[[int, int, Section], None]  # (sections done, sections in all, the section)
DOWN = (LLMUnavailableError, LLMConfigError)


def _section(key: str, text: str, method: str, note: str = "") -> Section:
    return Section(key=key, title=SECTION_TITLES[key], text=text, method=method, note=note,
                   at=datetime.now(UTC))  # fmt: skip


def template_section(structure: RoadmapStructure, key: str, note: str) -> Section:
    return _section(key, template_text(structure, key), "template", note)


def down_note(exc: Exception) -> str:
    message = exc.message if isinstance(exc, LLMError) else str(exc)
    return f"LLM을 사용할 수 없어 기본 문안을 사용했습니다: {message}"[:300]


def _llm_section(structure: RoadmapStructure, key: str, writer: SectionWriter) -> Section:
    """Two attempts at LLM prose; the template with the last problems after that.
    ``LLMUnavailableError`` / ``LLMConfigError`` propagate: the caller decides for the rest."""
    facts, schema = section_facts(structure, key), section_schema()
    first = messages = section_messages(facts)
    problems: list[str] = []
    for _ in range(2):
        reply = None
        try:
            reply = writer.write(messages, schema)
            text = reply_text(reply)
            if text is None:
                problems = ["답변에 문단 목록(paragraphs)이 없습니다."]
            else:
                problems = validate_prose(text, facts, avoid=section_instruction(key))
        except DOWN:
            raise
        except LLMError as exc:
            problems = [exc.message]
        except Exception as exc:  # noqa: BLE001 - one section's odd failure is not the draft's
            problems = [f"LLM 호출 중 예상하지 못한 오류: {type(exc).__name__}: {exc}"[:200]]
        if not problems:
            return _section(key, text, "llm")
        messages = retry_messages(first, reply if isinstance(reply, dict) else None, problems)
    note = "LLM 문안이 두 번 검증을 통과하지 못해 기본 문안을 사용했습니다: " + " ".join(problems)
    return template_section(structure, key, note[:500])


def _check_key(key: str) -> None:
    if key not in SECTION_TITLES:
        raise ValueError(f"알 수 없는 절입니다: {key} (가능: {', '.join(SECTION_KEYS)})")


def draft_section(
    settings: Any, structure: RoadmapStructure, key: str, *, writer: SectionWriter | None = None
) -> Section:
    """One section's prose (LLM, validated) or its marked template text."""
    _check_key(key)
    try:
        return _llm_section(structure, key, writer or StructuredSectionWriter(settings))
    except DOWN as exc:
        return template_section(structure, key, down_note(exc))


def draft_sections(
    settings: Any,
    structure: RoadmapStructure,
    keys: Iterable[str] | None = None,
    *,
    writer: SectionWriter | None = None,
    progress: Progress | None = None,
    concurrency: int = 4,
) -> dict[str, Section]:
    """Every section in ``keys`` (default all, in outline order), ``concurrency`` at a time."""
    wanted = list(keys) if keys is not None else list(SECTION_KEYS)
    for key in wanted:
        _check_key(key)
    writer = writer or StructuredSectionWriter(settings)
    down: list[str] = []  # the one note, once the server is found unreachable
    lock = threading.Lock()

    def one(key: str) -> Section:
        if down:
            return template_section(structure, key, down[0])
        try:
            return _llm_section(structure, key, writer)
        except DOWN as exc:
            with lock:
                down.append(down[0] if down else down_note(exc))
            return template_section(structure, key, down[0])

    done: dict[str, Section] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = {pool.submit(one, key): key for key in wanted}
        for future in as_completed(futures):
            section = future.result()
            done[section.key] = section
            if progress is not None:
                progress(len(done), len(wanted), section)
    return {key: done[key] for key in wanted}
