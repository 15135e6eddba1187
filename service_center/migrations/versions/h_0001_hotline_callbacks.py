"""Hotline: callback requests left by 12368 callers.

Revision ID: h_0001
Revises: 0001_baseline
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "h_0001"
down_revision = "0001_baseline"
branch_labels = ("h",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hotline_callbacks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("user_key", sa.String(64), nullable=True),
        sa.Column("call_sid", sa.String(64), nullable=True, unique=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_hotline_callbacks_created_at", "hotline_callbacks", ["created_at"])
    op.create_index("ix_hotline_callbacks_phone", "hotline_callbacks", ["phone"])
    op.create_index("ix_hotline_callbacks_user_key", "hotline_callbacks", ["user_key"])
    op.create_index("ix_hotline_callbacks_status", "hotline_callbacks", ["status"])


def downgrade() -> None:
    op.drop_table("hotline_callbacks")
