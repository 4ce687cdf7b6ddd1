"""Baseline: the schema every data folder had before migrations (documents, versions,
ingest runs, users). A folder created by ``create_all`` before Alembic is stamped at this
revision and then upgraded, so its documents are kept.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("doc_id", sa.String(64), primary_key=True),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("access_level", sa.String(20), nullable=False),
        sa.Column("allowed_users", sa.JSON(), nullable=False),
        sa.Column("allowed_departments", sa.JSON(), nullable=False),
        sa.Column("doc_type", sa.String(20), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("indexed_at", TS, nullable=True),
    )
    op.create_index("ix_documents_source_path", "documents", ["source_path"], unique=True)
    op.create_index("ix_documents_department", "documents", ["department"])
    op.create_index("ix_documents_status", "documents", ["status"])
    op.create_table(
        "document_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "doc_id",
            sa.String(64),
            sa.ForeignKey("documents.doc_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(40), nullable=True),
        sa.Column("indexed_at", TS, nullable=False),
        sa.UniqueConstraint("doc_id", "version"),
    )
    op.create_index("ix_document_versions_doc_id", "document_versions", ["doc_id"])
    op.create_table(
        "ingest_runs",
        sa.Column("run_id", sa.String(40), primary_key=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("paths", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(200), primary_key=True),
        sa.Column("department", sa.String(200), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=True),
    )


def downgrade() -> None:
    for table in ("users", "ingest_runs", "document_versions", "documents"):
        op.drop_table(table)
