"""Risk self-assessments.

Revision ID: r_0001
Revises: 0001_baseline
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "r_0001"
down_revision = "0001_baseline"
branch_labels = ("r",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("dispute_type", sa.String(32), nullable=False),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
    )
    op.create_index("ix_risk_assessments_created_at", "risk_assessments", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_risk_assessments_created_at", table_name="risk_assessments")
    op.drop_table("risk_assessments")
