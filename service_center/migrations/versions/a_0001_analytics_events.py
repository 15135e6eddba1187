"""Analytics: anonymous events behind the service-quality dashboard.

Revision ID: a_0001
Revises: 0001_baseline
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "a_0001"
down_revision = "0001_baseline"
branch_labels = ("a",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("hour", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("entry_id", sa.String(80)),
        sa.Column("value", sa.Float),
    )
    op.create_index("ix_analytics_kind_day", "analytics_events", ["kind", "day"])


def downgrade() -> None:
    op.drop_index("ix_analytics_kind_day", "analytics_events")
    op.drop_table("analytics_events")
