"""Safety: crisis events recorded by the conversation, shown to staff as alerts (issue 20).

Revision ID: safety_0001
Revises: 0001_baseline
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "safety_0001"
down_revision = "0001_baseline"
branch_labels = ("safety",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("conversation_ref", sa.String(64), nullable=False),
        sa.Column("interrupted_form", sa.String(64), nullable=True),
        sa.Column("text", sa.String(500), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
    )
    op.create_index("ix_safety_events_created_at", "safety_events", ["created_at"])
    op.create_index("ix_safety_events_kind", "safety_events", ["kind"])
    op.create_index("ix_safety_events_conversation_ref", "safety_events", ["conversation_ref"])
    op.create_index("ix_safety_events_status", "safety_events", ["status"])


def downgrade() -> None:
    op.drop_table("safety_events")
