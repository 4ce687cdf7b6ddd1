"""Stored roadmap drafts and versions (tables ``roadmap_drafts``/``roadmap_versions``, 0006).

A version is immutable: an edit, a regenerated section or a restore appends a version and
moves ``current_version``. ``docs`` lists every document id the version draws on, so a
reader's access can be decided from the row before the structure is even parsed.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from control_tower.domain import now
from control_tower.roadmap.types import RoadmapVersion
from control_tower.store.models import AwareDateTime, Base


class RoadmapDraftRow(Base):
    __tablename__ = "roadmap_drafts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    current_version: Mapped[int] = mapped_column(Integer)
    guidance: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime)


class RoadmapVersionRow(Base):
    __tablename__ = "roadmap_versions"

    draft_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("roadmap_drafts.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    docs: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)


def version_docs(v: RoadmapVersion) -> list[str]:
    return sorted(v.structure.documents())


def _version(row: RoadmapVersionRow) -> RoadmapVersion:
    return RoadmapVersion.model_validate(
        {
            **row.data,
            "draft_id": row.draft_id,
            "version": row.version,
            "created_at": row.created_at,
            "created_by": row.created_by,
            "note": row.note,
        }
    )


class RoadmapRepo:
    def __init__(self, store) -> None:  # noqa: ANN001 - control_tower.store.Store
        self.store = store

    def create(self, v: RoadmapVersion, department: str | None) -> RoadmapVersion:
        draft_id = v.draft_id or secrets.token_hex(6)
        v = v.model_copy(update={"draft_id": draft_id, "version": 1})
        t = now()
        with self.store.begin() as s:
            s.add(
                RoadmapDraftRow(
                    id=draft_id,
                    title=v.structure.title,
                    created_by=v.created_by,
                    department=department,
                    current_version=1,
                    guidance=v.structure.guidance.model_dump(mode="json"),
                    created_at=t,
                    updated_at=t,
                )
            )
            s.flush()
            s.add(self._row(v))
        return v

    def append(self, v: RoadmapVersion) -> RoadmapVersion:
        """Store ``v`` as the draft's next version and make it current."""
        with self.store.begin() as s:
            draft = s.get(RoadmapDraftRow, v.draft_id, with_for_update=True)
            if draft is None:
                raise KeyError(v.draft_id)
            v = v.model_copy(update={"version": draft.current_version + 1})
            draft.current_version = v.version
            draft.title = v.structure.title
            draft.updated_at = now()
            s.add(self._row(v))
        return v

    def _row(self, v: RoadmapVersion) -> RoadmapVersionRow:
        data = v.model_dump(mode="json", include={"structure", "sections", "checks"})
        return RoadmapVersionRow(
            draft_id=v.draft_id,
            version=v.version,
            created_by=v.created_by,
            note=v.note,
            data=data,
            docs=version_docs(v),
            created_at=v.created_at,
        )

    def draft(self, draft_id: str) -> RoadmapDraftRow | None:
        with self.store.session() as s:
            row = s.get(RoadmapDraftRow, draft_id)
            if row is not None:
                s.expunge(row)
            return row

    def drafts(self) -> list[RoadmapDraftRow]:
        with self.store.session() as s:
            rows = list(
                s.scalars(select(RoadmapDraftRow).order_by(RoadmapDraftRow.updated_at.desc()))
            )
            for row in rows:
                s.expunge(row)
            return rows

    def version(self, draft_id: str, version: int | None = None) -> RoadmapVersion | None:
        with self.store.session() as s:
            if version is None:
                draft = s.get(RoadmapDraftRow, draft_id)
                if draft is None:
                    return None
                version = draft.current_version
            row = s.get(RoadmapVersionRow, (draft_id, version))
            return _version(row) if row else None

    def versions(self, draft_id: str) -> list[tuple[int, datetime, str, str, list[str]]]:
        """(version, created_at, created_by, note, docs) of every version, oldest first."""
        q = (
            select(
                RoadmapVersionRow.version,
                RoadmapVersionRow.created_at,
                RoadmapVersionRow.created_by,
                RoadmapVersionRow.note,
                RoadmapVersionRow.docs,
            )
            .where(RoadmapVersionRow.draft_id == draft_id)
            .order_by(RoadmapVersionRow.version)
        )
        with self.store.session() as s:
            return [tuple(r) for r in s.execute(q)]

    def docs_of(self, draft_id: str) -> set[str]:
        """Every document any version of the draft cites (access is decided over all)."""
        q = select(RoadmapVersionRow.docs).where(RoadmapVersionRow.draft_id == draft_id)
        with self.store.session() as s:
            return {d for docs in s.scalars(q) for d in docs or []}

    def delete(self, draft_id: str) -> bool:
        with self.store.begin() as s:
            for row in s.scalars(
                select(RoadmapVersionRow).where(RoadmapVersionRow.draft_id == draft_id)
            ):
                s.delete(row)
            draft = s.get(RoadmapDraftRow, draft_id)
            if draft is None:
                return False
            s.delete(draft)
            return True
