"""New AI project proposals per department (``ct ideas``), with the AI division's decision.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "idea_proposals",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("use_case", sa.String(80), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_idea_proposals_department", "idea_proposals", ["department"])
    op.create_index("ix_idea_proposals_status", "idea_proposals", ["status"])


def downgrade() -> None:
    op.drop_table("idea_proposals")
