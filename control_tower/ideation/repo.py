"""Stored proposals (table ``idea_proposals``, migration 0005) and their decisions.

A proposal's id is stable (department + use case), so re-running ``ct ideas`` upserts: the
computed content is replaced, the decision (채택/보류, who, when) is kept. ``docs`` — every
document id the proposal's text, scores and citations were computed from — is stored beside
it, so a later reader (the roadmap) gets it only if they may read all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, mapped_column

from control_tower.domain import now
from control_tower.ideation.types import Proposal
from control_tower.store.models import AwareDateTime, Base


class IdeaProposalRow(Base):
    """One proposal: ``data`` = {"proposal": Proposal JSON, "docs": [doc ids]}."""

    __tablename__ = "idea_proposals"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    department: Mapped[str] = mapped_column(String(200), index=True)
    use_case: Mapped[str] = mapped_column(String(80))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), index=True)  # 제안 | 채택 | 보류
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime)


def _proposal(row: IdeaProposalRow) -> tuple[Proposal, list[str]]:
    data = dict(row.data or {})
    p = Proposal.model_validate(data.get("proposal", {}))
    p = p.model_copy(update={"status": row.status, "decided_by": row.decided_by})
    return p, list(data.get("docs", []))


class IdeaRepo:
    def __init__(self, store):  # noqa: ANN001 - control_tower.store.Store
        self.store = store

    def upsert(self, items: Iterable[tuple[Proposal, list[str]]]) -> list[Proposal]:
        """Write the computed proposals; each comes back with its stored decision."""
        t = now()
        out: list[Proposal] = []
        with self.store.begin() as s:
            for proposal, docs in items:
                row = s.get(IdeaProposalRow, proposal.id)
                if row is None:
                    row = IdeaProposalRow(id=proposal.id, status="제안", created_at=t)
                    s.add(row)
                row.department = proposal.departments[0] if proposal.departments else ""
                row.use_case = proposal.use_case
                body = proposal.model_dump(mode="json", exclude={"status", "decided_by"})
                row.data = {"proposal": body, "docs": sorted(set(docs))}
                row.updated_at = t
                out.append(
                    proposal.model_copy(update={"status": row.status, "decided_by": row.decided_by})
                )
        return out

    def get(self, proposal_id: str) -> tuple[Proposal, list[str]] | None:
        with self.store.session() as s:
            row = s.get(IdeaProposalRow, proposal_id)
            return _proposal(row) if row else None

    def decide(self, proposal_id: str, status: str, username: str) -> bool:
        with self.store.begin() as s:
            row = s.get(IdeaProposalRow, proposal_id)
            if row is None:
                return False
            row.status = status
            row.decided_by = None if status == "제안" else username
            row.decided_at = None if status == "제안" else now()
            row.updated_at = now()
            return True

    def decided_at(self, proposal_id: str) -> datetime | None:
        with self.store.session() as s:
            row = s.get(IdeaProposalRow, proposal_id)
            return row.decided_at if row else None

    def find(
        self, *, department: str | None = None, status: str | None = None
    ) -> list[tuple[Proposal, list[str]]]:
        q = select(IdeaProposalRow).order_by(IdeaProposalRow.department, IdeaProposalRow.id)
        if department is not None:
            q = q.where(IdeaProposalRow.department == department)
        if status is not None:
            q = q.where(IdeaProposalRow.status == status)
        with self.store.session() as s:
            return [_proposal(r) for r in s.scalars(q)]
