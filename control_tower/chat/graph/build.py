"""The supervisor graph, assembled: route -> tools* -> compose."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from control_tower.chat.graph import nodes
from control_tower.chat.graph.state import ChatState, Context


def build_graph(checkpointer=None):  # noqa: ANN001, ANN201 - a BaseCheckpointSaver / compiled graph
    g = StateGraph(ChatState, context_schema=Context)
    g.add_node("route", nodes.route)
    g.add_node("tools", nodes.run_tool)
    g.add_node("compose", nodes.compose)
    g.add_edge(START, "route")
    g.add_edge("route", "tools")
    g.add_conditional_edges("tools", nodes.after_tool, {"tools": "tools", "compose": "compose"})
    g.add_edge("compose", END)
    return g.compile(checkpointer=checkpointer)
