"""The cited text behind a card value, and a link to it on the passage page.

A value's ``SourceRef`` carries a character span into its document's full text (the space
chunk citations use). The text shown is the card's own kept passage over that span when
there is one, else the span read from the document's parsed copy; the link goes to the
chunk that contains the span (``/documents/{id}/passage?chunk=…``), which checks access
again. Only sources the caller may read reach here (``card_view`` dropped the others).
"""

from __future__ import annotations

from urllib.parse import urlencode

from control_tower.registry.types import ProjectCard, SourceRef

MAX_CITED = 400
CONTEXT = 60  # characters of context around a short span


class Citer:
    """One per page: caches parsed texts and chunk lists per document."""

    def __init__(self, services, card: ProjectCard | None = None) -> None:  # noqa: ANN001
        self.services = services
        self.card = card
        self._texts: dict[tuple[str, int], str | None] = {}
        self._chunks: dict[tuple[str, int], list] = {}

    def __call__(self, src: SourceRef) -> tuple[dict | None, str | None]:
        return self.cited(src), self.passage_url(src)

    def cited(self, src: SourceRef) -> dict | None:
        """``{"before", "mark", "after"}``: the cited span itself (marked) with a little
        context, read from the document; else the card's kept passage for that source."""
        return self._span(src) or self._kept(src)

    def _kept(self, src: SourceRef) -> dict | None:
        for p in self.card.passages if self.card else []:
            ps = p.source
            if ps.doc_id != src.doc_id:
                continue
            same_row = src.row is not None and ps.row == src.row
            inside = (
                src.char_start is not None
                and ps.char_start is not None
                and ps.char_start <= src.char_start < (ps.char_end or ps.char_start + 1)
            )
            if same_row or inside:
                return {"before": "", "mark": p.text, "after": ""}
        return None

    def _span(self, src: SourceRef) -> dict | None:
        if src.char_start is None or src.doc_id.startswith("import:"):
            return None
        text = self._text(src)
        if not text:
            return None
        start = max(0, min(src.char_start, len(text)))
        end = max(start, min(src.char_end or start, len(text), start + MAX_CITED))
        if end <= start:
            return None
        # Context: the rest of the span's own line(s), at most CONTEXT characters each side
        # (a table cell shows its row, a bullet its line).
        before = text[max(0, start - CONTEXT) : start]
        cut = before.rfind("\n")
        before = before[cut + 1 :] if cut >= 0 else ("…" if start > CONTEXT else "") + before
        after = text[end : end + CONTEXT]
        cut = after.find("\n")
        after = after[:cut] if cut >= 0 else after + ("…" if end + CONTEXT < len(text) else "")
        return {"before": before.lstrip(), "mark": text[start:end], "after": after.rstrip()}

    def _text(self, src: SourceRef) -> str | None:
        key = (src.doc_id, src.version)
        if key not in self._texts:
            from control_tower.store.parsed import parsed_copies
            from ingest.chunking import full_text

            parsed = parsed_copies(self.services.settings.data_dir).load(src.doc_id, src.version)
            self._texts[key] = full_text(parsed) if parsed is not None else None
        return self._texts[key]

    def passage_url(self, src: SourceRef) -> str | None:
        if src.char_start is None or src.doc_id.startswith("import:"):
            return None
        chunks = self._doc_chunks(src)
        for c in chunks:
            if c.char_start <= src.char_start < max(c.char_end, c.char_start + 1):
                query = urlencode({"chunk": c.chunk_id})
                return f"/documents/{src.doc_id}/passage?{query}#cited"
        return None

    def _doc_chunks(self, src: SourceRef) -> list:
        key = (src.doc_id, src.version)
        if key not in self._chunks:
            record = self.services.store.get_document(src.doc_id)
            found: list = []
            if record is not None and record.version == src.version and record.chunk_count:
                ids = [f"{src.doc_id}:{src.version}:{i}" for i in range(record.chunk_count)]
                try:
                    found = self.services.index.get(ids)
                except Exception:  # noqa: BLE001 - no index (yet): show the text without a link
                    found = []
            self._chunks[key] = found
        return self._chunks[key]


__all__ = ["Citer"]
