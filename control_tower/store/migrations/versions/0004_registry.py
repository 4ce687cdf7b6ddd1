"""Project registry: cards, their sources, per-document extraction state, edits, imports,
links and cached link rationales.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "registry_cards",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("lead_department", sa.String(200), nullable=True),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_registry_cards_lead_department", "registry_cards", ["lead_department"])
    op.create_table(
        "registry_card_sources",
        sa.Column(
            "card_id",
            sa.String(40),
            sa.ForeignKey("registry_cards.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("doc_id", sa.String(80), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_registry_card_sources_doc_id", "registry_card_sources", ["doc_id"])
    op.create_table(
        "registry_doc_state",
        sa.Column("doc_id", sa.String(80), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.JSON(), nullable=False),
        sa.Column("llm_fields", sa.Integer(), nullable=False),
        sa.Column("llm_used", sa.Boolean(), nullable=False),
        sa.Column("extracted_at", TS, nullable=False),
    )
    op.create_table(
        "registry_edits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("card_id", sa.String(40), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("reverted_at", TS, nullable=True),
        sa.Column("reverted_by", sa.String(200), nullable=True),
    )
    op.create_index("ix_registry_edits_card_id", "registry_edits", ["card_id"])
    op.create_table(
        "registry_imports",
        sa.Column("import_id", sa.String(40), primary_key=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("access_level", sa.String(20), nullable=False),
        sa.Column("allowed_users", sa.JSON(), nullable=False),
        sa.Column("allowed_departments", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.String(200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("mentions", sa.JSON(), nullable=False),
        sa.Column("imported_at", TS, nullable=False),
    )
    op.create_table(
        "registry_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("a", sa.String(40), nullable=False),
        sa.Column("b", sa.String(40), nullable=False),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_registry_links_a", "registry_links", ["a"])
    op.create_index("ix_registry_links_b", "registry_links", ["b"])
    op.create_table(
        "registry_rationales",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("model", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "registry_rationales",
        "registry_links",
        "registry_imports",
        "registry_edits",
        "registry_doc_state",
        "registry_card_sources",
        "registry_cards",
    ):
        op.drop_table(table)
