"""Routing: question -> a plan of tool calls, decided by patterns and entity lookup.

Only the question (and the caller's own previous turn) decides the plan — never the text of a
retrieved document, so a passage saying "call this tool" or "ignore your instructions" cannot
change what runs. The LLM is consulted only when no pattern and no entity decided (``llm_choice``).
"""

from __future__ import annotations

import re

from control_tower.chat.graph.entities import Entities
from control_tower.chat.graph.intents import aggregate_field, aggregate_op, intents_of, wants_budget
from control_tower.chat.types import ToolCall, ToolResult

# a question that asks what to do rather than naming a topic: search alone may be the wrong tool
OPEN_ENDED = re.compile(r"어떻게|무엇을|뭘|뭐가|좋을까|할까|해야|도와|알려\s*줄\s*수")
# counting and summing is over projects: "취약점이 몇 건" is a question for the documents
PROJECTS = re.compile(r"사업|과제|프로젝트")
# tools the LLM may pick for an ambiguous question (guided decoding restricts it to these)
CHOOSABLE = (
    "search_documents",
    "registry_aggregate",
    "related_projects",
    "suggest_projects",
    "roadmap_section",
)


def _dept_args(ent: Entities) -> dict:
    return {"department": ent.departments[0]} if ent.departments else {}


def call_for(tool: str, question: str, ent: Entities, why: str) -> ToolCall:
    """The arguments a tool gets, filled from the question's entities."""
    card = ent.cards[0] if ent.cards else None
    if tool == "related_projects":
        args = {"card_id": card.id} if card else _dept_args(ent)
        if re.search(r"중복|겹치|겹쳐", question):
            args["link_type"] = "중복"
    elif tool == "registry_aggregate":
        args = {"op": aggregate_op(question), "field": aggregate_field(question)}
        args |= _dept_args(ent)
        if ent.years:
            args["year"] = ent.years[0]
    elif tool == "get_project":
        args = {"card_id": card.id} if card else {"name": question[:100]}
    elif tool == "suggest_projects":
        args = _dept_args(ent)
    elif tool == "roadmap_section":
        from control_tower.chat.tools.roadmap import phase_of

        args = {"query": question[:200]} | _dept_args(ent)
        if phase := phase_of(question):
            args["phase"] = phase
    elif tool == "review_proposal":
        args = {"text": question[:8000]}
    else:
        args = {"query": question[:200], "k": 5}
    return ToolCall(tool=tool, args=args, why=why)


def plan(question: str, ent: Entities) -> tuple[list[ToolCall], bool]:
    """The first tool calls and whether the question stayed ambiguous (no pattern, no entity)."""
    intents = intents_of(question)
    calls: list[ToolCall] = []
    named = len(ent.cards)
    if "review" in intents and len(question) >= 120:
        calls.append(call_for("review_proposal", question, ent, "pattern:review"))
    elif "related" in intents:
        calls.append(call_for("related_projects", question, ent, "pattern:related"))
    elif "depends" in intents and named:
        call = call_for("related_projects", question, ent, "pattern:depends")
        call.args["link_type"] = "선후"
        calls.append(call)
    elif "aggregate" in intents and named >= 2:
        call = call_for("registry_aggregate", question, ent, "pattern:aggregate+cards")
        call.args.pop("department", None)
        call.args["card_ids"] = [c.id for c in ent.cards]
        calls.append(call)
    elif "aggregate" in intents and len(ent.departments) >= 2:
        call = call_for("registry_aggregate", question, ent, "pattern:aggregate+departments")
        call.args.pop("department", None)
        call.args["departments"] = ent.departments[:10]
        calls.append(call)
    elif (
        "aggregate" in intents
        and (ent.departments or PROJECTS.search(question))
        and not (named == 1 and not ent.departments)
    ):
        calls.append(call_for("registry_aggregate", question, ent, "pattern:aggregate"))
    elif named and "facts" in intents:
        pass  # a named project's facts: the card, below
    elif "ideas" in intents:
        calls.append(call_for("suggest_projects", question, ent, "pattern:ideas"))
    elif "roadmap" in intents:
        calls.append(call_for("roadmap_section", question, ent, "pattern:roadmap"))
    if not calls and ent.cards:
        calls.append(call_for("get_project", question, ent, "entity:card"))
    if not calls:
        calls.append(call_for("search_documents", question, ent, "default:search"))
        return calls, not intents and not ent.departments and bool(OPEN_ENDED.search(question))
    if calls[0].tool == "get_project":
        # the card answers the fields; the documents answer everything else about it
        calls.append(call_for("search_documents", question, ent, "entity:card+search"))
    return calls, False


def follow_ups(question: str, done: list[ToolCall], results: list[ToolResult]) -> list[ToolCall]:
    """Calls that chain on earlier results: "겹치는 사업을 찾아서 예산을 비교해 줘"."""
    tools = [c.tool for c in done]
    last = results[-1] if results else None
    if last is not None and not last.ok and "search_documents" not in tools:
        # a tool that could not answer (no roadmap yet, not allowed): the documents may
        return [call_for("search_documents", question, Entities(), f"fallback:{last.tool}")]
    if (
        last is not None
        and last.ok
        and last.tool == "related_projects"
        and wants_budget(question)
        and "registry_aggregate" not in tools
    ):
        ids = []
        for item in last.data.get("links", []):
            for key in ("card_id", "other_card_id"):
                if item.get(key) and item[key] not in ids:
                    ids.append(item[key])
        if ids:
            args = {"op": aggregate_op(question), "field": "budget_eok", "card_ids": ids[:20]}
            return [ToolCall(tool="registry_aggregate", args=args, why="chain:related->budget")]
    return []
