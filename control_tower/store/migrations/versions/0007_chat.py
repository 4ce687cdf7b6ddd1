"""Chat conversations, their turns, and the LangGraph checkpoints of their threads.

A conversation row belongs to one person (``owner``) and its id is the thread id under which
the chat supervisor's checkpoints are stored, so deleting a conversation deletes its state.
Checkpoints and writes are opaque typed blobs written by the saver's serializer.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "chat_checkpoints",
        sa.Column("thread_id", sa.String(100), primary_key=True),
        sa.Column("checkpoint_ns", sa.Text(), primary_key=True),
        sa.Column("checkpoint_id", sa.String(100), primary_key=True),
        sa.Column("parent_checkpoint_id", sa.String(100), nullable=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("checkpoint", sa.LargeBinary(), nullable=False),
        sa.Column("metadata_type", sa.String(40), nullable=False),
        sa.Column("metadata", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "chat_writes",
        sa.Column("thread_id", sa.String(100), primary_key=True),
        sa.Column("checkpoint_ns", sa.Text(), primary_key=True),
        sa.Column("checkpoint_id", sa.String(100), primary_key=True),
        sa.Column("task_id", sa.String(100), primary_key=True),
        sa.Column("idx", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("task_path", sa.Text(), nullable=False),
    )
    op.create_table(
        "chat_conversations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("last_answer", sa.JSON(), nullable=True),
    )
    op.create_index("ix_chat_conversations_owner", "chat_conversations", ["owner"])
    op.create_table(
        "chat_turns",
        sa.Column(
            "conversation_id",
            sa.String(40),
            sa.ForeignKey("chat_conversations.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("idx", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("chat_turns")
    op.drop_index("ix_chat_conversations_owner", table_name="chat_conversations")
    op.drop_table("chat_conversations")
    op.drop_table("chat_writes")
    op.drop_table("chat_checkpoints")
