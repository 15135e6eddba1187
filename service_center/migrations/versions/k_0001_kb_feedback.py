"""Procedure guide: litigants' feedback on answers and the questions the guide could not answer.

Revision ID: k_0001
Revises: 0001_baseline
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "k_0001"
down_revision = "0001_baseline"
branch_labels = ("k",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_id", sa.String(80), nullable=False),
        sa.Column("question", sa.Text),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("channel", sa.String(30)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_kb_feedback_entry_id", "kb_feedback", ["entry_id"])
    op.create_index("ix_kb_feedback_created_at", "kb_feedback", ["created_at"])
    op.create_table(
        "kb_unanswered",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("channel", sa.String(30)),
        sa.Column("reason", sa.String(40)),
        sa.Column("top_entry_id", sa.String(80)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_kb_unanswered_created_at", "kb_unanswered", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_kb_unanswered_created_at", "kb_unanswered")
    op.drop_table("kb_unanswered")
    op.drop_index("ix_kb_feedback_created_at", "kb_feedback")
    op.drop_index("ix_kb_feedback_entry_id", "kb_feedback")
    op.drop_table("kb_feedback")
