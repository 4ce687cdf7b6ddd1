"""An assistant answer as safe HTML: escaped first, then a minimal Markdown (paragraphs, line
breaks, **bold**, bulleted and numbered lists) and every ``[n]`` as a link to its passage.

Why on the server: the page shows stored turns and, after a streamed turn's ``done``, fetches
the same partial (``/chat/{id}/last``), so one renderer decides what an answer may contain.
The text comes from an LLM and from documents: nothing in it is ever trusted as markup.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from control_tower.chat.types import ChatAnswer, ChatCitation

_ITEM = re.compile(r"^\s*(?:([-*•])|(\d{1,3})[.)])\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_MARK = re.compile(r"\[(\d{1,3})\]")


def _safe_url(url: str) -> str:
    """Only this app's own pages (a path), never another scheme or host."""
    return url if url.startswith("/") and not url.startswith("//") else ""


def _inline(line: str, urls: dict[int, str]) -> str:
    html = str(escape(line))  # escaped first: markup below is the only markup there is
    html = _BOLD.sub(r"<strong>\1</strong>", html)

    def cite(m: re.Match) -> str:
        n = int(m.group(1))
        url = urls.get(n, "")
        if not url:
            return m.group(0)
        return (
            f'<a class="chat-cite" href="{escape(url)}" data-testid="chat-cite" data-n="{n}"'
            f' title="출처 {n}">[{n}]</a>'
        )

    return _MARK.sub(cite, html)


def _block(lines: list[str], urls: dict[int, str]) -> list[str]:
    """One paragraph block: runs of list items become lists, other lines one <p> with <br>."""
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []
    ordered = False

    def flush_para() -> None:
        if para:
            out.append("<p>" + "<br>".join(para) + "</p>")
            para.clear()

    def flush_items() -> None:
        if items:
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>")
            items.clear()

    for line in lines:
        m = _ITEM.match(line)
        if m:
            flush_para()
            if items and ordered != bool(m.group(2)):
                flush_items()
            ordered = bool(m.group(2))
            items.append(_inline(m.group(3), urls))
        else:
            flush_items()
            para.append(_inline(line.strip(), urls))
    flush_para()
    flush_items()
    return out


def render_markdown(text: str, citations: list[ChatCitation]) -> Markup:
    urls = {c.n: _safe_url(c.url) for c in citations}
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    html: list[str] = []
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if lines:
            html.extend(_block(lines, urls))
    return Markup("".join(html))  # noqa: S704 - built from escaped text above


def answer_html(answer: ChatAnswer) -> Markup:
    return render_markdown(answer.answer, answer.citations)


def where(c: ChatCitation) -> str:
    """A source's place in its document, in Korean: "3쪽 · 2. 추진 배경"."""
    parts = [f"{c.page}쪽" if c.page else "", c.section or ""]
    return " · ".join(p for p in parts if p)


def quote(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


__all__ = ["answer_html", "quote", "render_markdown", "where"]
