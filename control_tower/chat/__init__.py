"""The department heads' assistant: a LangGraph supervisor over the city's tools (docs/CHAT.md)."""
