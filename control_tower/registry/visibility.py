"""What one caller may see of the registry: the same rule as search, applied per source.

A card is seen only through documents the caller may read: a field value whose document is
unreadable is dropped, a card left with no readable source disappears, passages are
filtered the same way. Edits are shown on a card the caller can see (an edit has no document
of its own). Import rows are readable under the access level given at import time.
"""

from __future__ import annotations

from collections.abc import Iterable

from control_tower.access import can_read
from control_tower.domain import AccessLevel, DocumentMeta, Principal
from control_tower.registry.types import ProjectCard

IMPORT_PREFIX = "import:"


class Reader:
    """Which registry sources one principal may read, decided once per request."""

    def __init__(self, store, principal: Principal) -> None:  # noqa: ANN001
        self.principal = principal
        self._allowed: dict[str, bool] = {}
        for rec in store.list_documents():
            self._allowed[rec.doc_id] = can_read(principal, rec.to_meta())
        for meta in import_metas(store):
            self._allowed[meta.doc_id] = can_read(principal, meta)

    def can(self, doc_id: str) -> bool:
        return self._allowed.get(doc_id, False)  # a source no longer in the store: hidden


def import_metas(store) -> list[DocumentMeta]:  # noqa: ANN001
    """Each spreadsheet import as the document it stands for (its access level at import)."""
    from control_tower.registry.repo import RegistryRepo

    return [
        DocumentMeta(
            doc_id=IMPORT_PREFIX + import_id,
            title=title,
            department=dept,
            access_level=AccessLevel(level),
            allowed_users=users or [],
            allowed_departments=depts or [],
            source_path=path,
            doc_type="import",
            content_hash="",
        )
        for import_id, path, title, dept, level, users, depts in RegistryRepo(store).import_access()
    ]


def may_read_import(store, principal: Principal, doc_id: str) -> bool:  # noqa: ANN001
    """Whether ``principal`` may read the import ``doc_id`` stands for (gone: no)."""
    meta = next((m for m in import_metas(store) if m.doc_id == doc_id), None)
    return meta is not None and can_read(principal, meta)


def card_view(card: ProjectCard, reader: Reader) -> ProjectCard | None:
    """The card as this reader may see it, or None."""
    if not any(reader.can(s.doc_id) for s in card.sources()):
        return None
    fields = {}
    for key, values in card.fields.items():
        kept = [v for v in values if v.source is None or reader.can(v.source.doc_id)]
        if kept:
            fields[key] = kept
    passages = [p for p in card.passages if reader.can(p.source.doc_id)]
    return card.model_copy(update={"fields": fields, "passages": passages})


def visible_cards(cards: Iterable[ProjectCard], reader: Reader) -> list[ProjectCard]:
    return [v for v in (card_view(c, reader) for c in cards) if v is not None]


def fully_visible(card: ProjectCard, reader: Reader) -> bool:
    return all(reader.can(s.doc_id) for s in card.sources())
