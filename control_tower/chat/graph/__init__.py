"""The supervisor graph: route -> call tools -> compose -> check (docs/CHAT.md)."""
