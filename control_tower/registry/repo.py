"""Data access for the registry tables (``control_tower/store/models.py``, migration 0004).

Cards are stored whole (``data`` = the card without its id) with a digest, so a rebuild
compares digests and writes only the cards whose content changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from sqlalchemy import delete, insert, select

from control_tower.domain import now
from control_tower.linker.types import Link
from control_tower.registry.types import Mention, ProjectCard
from control_tower.store.models import (
    RegistryCardRow,
    RegistryCardSourceRow,
    RegistryDocStateRow,
    RegistryImportRow,
    RegistryLinkRow,
    RegistryRationaleRow,
)


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    """IN lists of bounded length (SQLite's bound-parameter limit)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _doc_versions(card: ProjectCard) -> dict[str, int]:
    out: dict[str, int] = {}
    for src in card.sources():
        out[src.doc_id] = max(out.get(src.doc_id, 0), src.version)
    return out


def card_digest(card: ProjectCard) -> str:
    payload = json.dumps(card.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class RegistryRepo:
    def __init__(self, store):  # noqa: ANN001 - control_tower.store.Store
        self.store = store

    # --- cards ---------------------------------------------------------------------------
    def cards(self) -> list[ProjectCard]:
        with self.store.session() as s:
            rows = s.scalars(select(RegistryCardRow).order_by(RegistryCardRow.id)).all()
            return [ProjectCard.model_validate({**r.data, "id": r.id}) for r in rows]

    def card(self, card_id: str) -> ProjectCard | None:
        with self.store.session() as s:
            row = s.get(RegistryCardRow, card_id)
            return ProjectCard.model_validate({**row.data, "id": row.id}) if row else None

    def source_sets(self) -> dict[str, set[str]]:
        """card id → the document ids it was built from (to keep ids across rebuilds)."""
        out: dict[str, set[str]] = {}
        with self.store.session() as s:
            for card_id, doc_id in s.execute(
                select(RegistryCardSourceRow.card_id, RegistryCardSourceRow.doc_id)
            ):
                out.setdefault(card_id, set()).add(doc_id)
        return out

    def digests(self) -> dict[str, str]:
        with self.store.session() as s:
            return dict(s.execute(select(RegistryCardRow.id, RegistryCardRow.digest)).all())

    def save_cards(self, cards: Iterable[ProjectCard], *, remove: Iterable[str] = ()) -> None:
        """Insert or replace ``cards`` (and their source rows); delete the ids in ``remove``.

        Set-based (one DELETE per table, bulk INSERTs): a first build of 4,000 imported
        cards wrote row by row in ~30 s."""
        t = now()
        cards = list(cards)
        ids = [c.id for c in cards]
        gone = list(remove)
        with self.store.begin() as s:
            created = (
                dict(
                    s.execute(
                        select(RegistryCardRow.id, RegistryCardRow.created_at).where(
                            RegistryCardRow.id.in_(ids)
                        )
                    ).all()
                )
                if ids
                else {}
            )
            for chunk in _chunks(ids + gone):
                s.execute(
                    delete(RegistryCardSourceRow).where(RegistryCardSourceRow.card_id.in_(chunk))
                )
                s.execute(delete(RegistryCardRow).where(RegistryCardRow.id.in_(chunk)))
            if cards:
                s.execute(
                    insert(RegistryCardRow),
                    [
                        {
                            "id": c.id,
                            "name": c.name,
                            "lead_department": c.lead_department,
                            "origin": c.origin,
                            "data": c.model_dump(mode="json", exclude={"id"}),
                            "digest": card_digest(c),
                            "created_at": created.get(c.id, t),
                            "updated_at": t,
                        }
                        for c in cards
                    ],
                )
                sources = [
                    {"card_id": c.id, "doc_id": doc_id, "version": version}
                    for c in cards
                    for doc_id, version in _doc_versions(c).items()
                ]
                if sources:
                    s.execute(insert(RegistryCardSourceRow), sources)

    # --- per-document extraction state -------------------------------------------------
    def doc_states(self) -> dict[str, tuple[int, list[Mention], int]]:
        with self.store.session() as s:
            rows = s.scalars(select(RegistryDocStateRow)).all()
            return {
                r.doc_id: (r.version, [Mention.model_validate(m) for m in r.mentions], r.llm_fields)
                for r in rows
            }

    def save_doc_state(
        self, doc_id: str, version: int, mentions: list[Mention], *, llm_fields: int
    ) -> None:
        with self.store.begin() as s:
            row = s.get(RegistryDocStateRow, doc_id) or RegistryDocStateRow(doc_id=doc_id)
            row.version = version
            row.mentions = [m.model_dump(mode="json") for m in mentions]
            row.llm_fields = llm_fields
            row.llm_used = llm_fields > 0
            row.extracted_at = now()
            s.merge(row)

    def drop_doc_states(self, doc_ids: Iterable[str]) -> None:
        ids = list(doc_ids)
        if ids:
            with self.store.begin() as s:
                s.execute(delete(RegistryDocStateRow).where(RegistryDocStateRow.doc_id.in_(ids)))

    # --- imports -----------------------------------------------------------------------
    def imports(self) -> list[RegistryImportRow]:
        with self.store.session() as s:
            rows = s.scalars(
                select(RegistryImportRow).order_by(RegistryImportRow.imported_at)
            ).all()
            s.expunge_all()
            return list(rows)

    def import_access(self) -> list[tuple]:
        """(import_id, path, title, department, access_level, allowed_users,
        allowed_departments) of every import — what access checks need, without the rows."""
        cols = (
            RegistryImportRow.import_id,
            RegistryImportRow.path,
            RegistryImportRow.title,
            RegistryImportRow.department,
            RegistryImportRow.access_level,
            RegistryImportRow.allowed_users,
            RegistryImportRow.allowed_departments,
        )
        with self.store.session() as s:
            return [tuple(r) for r in s.execute(select(*cols)).all()]

    def save_import(self, row: RegistryImportRow) -> None:
        with self.store.begin() as s:
            s.merge(row)

    # --- links -------------------------------------------------------------------------
    def links(self) -> list[Link]:
        with self.store.session() as s:
            rows = s.scalars(select(RegistryLinkRow).order_by(RegistryLinkRow.score.desc())).all()
            return [Link.model_validate(r.data) for r in rows]

    def replace_links(self, links: Iterable[Link]) -> None:
        with self.store.begin() as s:
            s.execute(delete(RegistryLinkRow))
            for link in links:
                s.add(
                    RegistryLinkRow(
                        a=link.a,
                        b=link.b,
                        type=link.type,
                        score=link.score,
                        data=link.model_dump(mode="json"),
                    )
                )

    # --- rationale cache ---------------------------------------------------------------
    def rationale(self, key: str) -> str | None:
        with self.store.session() as s:
            row = s.get(RegistryRationaleRow, key)
            return row.text if row else None

    def save_rationale(self, key: str, text: str, model: str | None) -> None:
        with self.store.begin() as s:
            s.merge(RegistryRationaleRow(key=key, text=text, model=model, created_at=now()))
