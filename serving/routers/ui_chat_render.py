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


def passage_link(url: str) -> str:
    """Only this app's own pages (a path), never another scheme or host; a passage page
    without a chunk would be a 404 (a card value's evidence has none), so no link then."""
    if not url.startswith("/") or url.startswith("//"):
        return ""
    if "/passage" in url and "chunk=" not in url:
        return ""
    return url


def _inline(line: str, urls: dict[int, str], anchor: str) -> str:
    html = str(escape(line))  # escaped first: markup below is the only markup there is
    html = _BOLD.sub(r"<strong>\1</strong>", html)

    def cite(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in urls:
            return m.group(0)
        url = urls[n] or f"#{anchor}{n}"  # no passage to open: the source under the answer
        return (
            f'<a class="chat-cite" href="{escape(url)}" data-testid="chat-cite" data-n="{n}"'
            f' title="출처 {n}">[{n}]</a>'
        )

    return _MARK.sub(cite, html)


def _block(lines: list[str], urls: dict[int, str], anchor: str) -> list[str]:
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
            items.append(_inline(m.group(3), urls, anchor))
        else:
            flush_items()
            para.append(_inline(line.strip(), urls, anchor))
    flush_para()
    flush_items()
    return out


def render_markdown(text: str, citations: list[ChatCitation], anchor: str = "source-") -> Markup:
    """``anchor``: the id prefix of the sources list's entries (``{anchor}{n}``)."""
    urls = {c.n: passage_link(c.url) for c in citations}
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    html: list[str] = []
    for block in blocks:
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if lines:
            html.extend(_block(lines, urls, anchor))
    return Markup("".join(html))  # noqa: S704 - built from escaped text above


def answer_html(answer: ChatAnswer, index: int = 0) -> Markup:
    """The answer of turn ``index`` (its sources are ``source-{index}-{n}``)."""
    return render_markdown(answer.answer, answer.citations, f"source-{index}-")


def where(c: ChatCitation) -> str:
    """A source's place in its document, in Korean: "3쪽 · 2. 추진 배경"."""
    parts = [f"{c.page}쪽" if c.page else "", c.section or ""]
    return " · ".join(p for p in parts if p)


def quote(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


__all__ = ["answer_html", "passage_link", "quote", "render_markdown", "where"]
