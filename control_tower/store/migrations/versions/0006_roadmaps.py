"""Roadmap drafts and their versions (``ct roadmap``).

A draft row names the draft and its audience (who drafted it, as whom it was computed); each
version holds the whole structure, the section texts and the check results as JSON, so a
version can be compared with and restored from any other without recomputing anything.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "roadmap_drafts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("guidance", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "roadmap_versions",
        sa.Column(
            "draft_id",
            sa.String(40),
            sa.ForeignKey("roadmap_drafts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("docs", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("roadmap_versions")
    op.drop_table("roadmap_drafts")
