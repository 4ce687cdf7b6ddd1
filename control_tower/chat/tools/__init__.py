"""The chat assistant's tools: one typed tool per module, listed here for the supervisor/MCP."""

from __future__ import annotations

from control_tower.chat.tools.base import Tool, ToolContext, ToolError


def all_tools() -> list[Tool]:
    """Fresh instances of every tool, in routing priority order."""
    from control_tower.chat.tools.aggregate import RegistryAggregate
    from control_tower.chat.tools.projects import FindProjects, GetProject
    from control_tower.chat.tools.related import RelatedProjects
    from control_tower.chat.tools.review import ReviewProposal
    from control_tower.chat.tools.roadmap import RoadmapSection
    from control_tower.chat.tools.search import SearchDocuments
    from control_tower.chat.tools.suggest import SuggestProjects

    return [
        SearchDocuments(),
        FindProjects(),
        GetProject(),
        RegistryAggregate(),
        RelatedProjects(),
        SuggestProjects(),
        RoadmapSection(),
        ReviewProposal(),
    ]


def tool_by_name(name: str) -> Tool:
    for tool in all_tools():
        if tool.name == name:
            return tool
    raise ToolError("unknown_tool", f"알 수 없는 도구입니다: {name}")


__all__ = ["Tool", "ToolContext", "ToolError", "all_tools", "tool_by_name"]
