"""A covering index for the AI-adoption dashboard's weekly aggregation over audit_events.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ["at", "outcome", "department", "event", "username", "authenticated"]


def upgrade() -> None:
    op.create_index("ix_audit_events_usage", "audit_events", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_audit_events_usage", table_name="audit_events")
