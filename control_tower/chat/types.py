"""The chat assistant's domain types: what tools return, what an answer cites, what streams.

Why these shapes: an answer may only state what a tool put in front of it. Tools return
``Evidence`` (passages the caller may read, each citable as ``[n]``) and ``Fact`` (values the
tool computed from cards — sums, counts, a card's budget — tied to the evidence they rest on).
The citation check after composing accepts a sentence's numbers only if they occur in a cited
passage or in a computed fact, so the types carry exactly what that check needs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

EventType = Literal["conversation", "step", "token", "citation", "done", "error"]


class Evidence(BaseModel):
    """One passage the caller may read, as an answer may cite it."""

    doc_id: str
    version: int = 1
    title: str = ""
    department: str = ""
    path: str = ""  # display location (부서/파일명), never a server path
    doc_type: str = ""
    page: int | None = None
    section: str | None = None
    char_start: int | None = None
    char_end: int | None = None
    chunk_id: str | None = None  # set for search hits: opens /documents/{doc_id}/passage
    text: str = Field(default="", max_length=4000)

    def key(self) -> tuple:
        return (self.doc_id, self.version, self.chunk_id, self.char_start, self.char_end)


class Fact(BaseModel):
    """A value a tool computed (never generated): "기후환경과 사업 예산 합계 = 125.3억원"."""

    label: str  # Korean, e.g. "기후환경과 사업 예산 합계"
    value: str  # Korean, as it should read in the answer, e.g. "125.3억원"
    evidence: list[int] = Field(default_factory=list)  # indexes into ToolResult.evidence
    sentence: str = ""  # a ready Korean sentence stating it (the deterministic answer uses it)


class ToolResult(BaseModel):
    """What one tool call gave back, after the caller's permissions were applied."""

    tool: str
    ok: bool = True
    summary: str = ""  # Korean, one line, shown in the step event ("사업 카드 3건")
    evidence: list[Evidence] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)  # the tool's typed output, dumped
    error: str | None = None  # Korean, when ok is False


class ToolCall(BaseModel):
    """One planned call: a tool name and its arguments (validated by the tool's input model)."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    why: str = ""  # the routing reason: "pattern:duplicates", "llm", "tool_call", …


class ToolStep(BaseModel):
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    seconds: float = 0.0
    ok: bool = True
    summary: str = ""


class ChatCitation(BaseModel):
    """A ``[n]`` marker of an answer, resolved to the passage it points at."""

    n: int
    doc_id: str
    title: str = ""
    path: str = ""
    page: int | None = None
    section: str | None = None
    text: str = ""
    char_start: int | None = None
    char_end: int | None = None
    chunk_id: str | None = None
    url: str = ""  # the web page that opens the passage, highlighted


class ChatAnswer(BaseModel):
    conversation_id: str
    answer: str
    citations: list[ChatCitation] = Field(default_factory=list)
    steps: list[ToolStep] = Field(default_factory=list)
    not_found: bool = False  # nothing relevant was found and the answer says so
    fallback: bool = False  # the LLM failed or was unsupported; the answer is extractive
    flagged: list[str] = Field(default_factory=list)  # sentences removed by the citation check


class ChatEvent(BaseModel):
    """One streamed event. ``data`` by type:

    - ``conversation``: {"conversation_id"} — always first
    - ``step``: {"phase": "start"|"end", "index", "tool", "args", "seconds", "ok", "summary"}
    - ``token``: {"text"}
    - ``citation``: a ChatCitation
    - ``done``: a ChatAnswer — always last on success
    - ``error``: {"code", "message"} (Korean) — last on failure
    """

    type: EventType
    data: dict[str, Any] = Field(default_factory=dict)


class Conversation(BaseModel):
    id: str
    owner: str  # username
    title: str
    created_at: str  # ISO 8601
    updated_at: str
    turns: int = 0


class Turn(BaseModel):
    question: str
    answer: ChatAnswer
    at: str = ""
