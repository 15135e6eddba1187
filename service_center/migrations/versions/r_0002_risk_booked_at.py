"""Risk self-assessments: when the self-test led to a booking (the dashboard's conversion figure).

Revision ID: r_0002
Revises: r_0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "r_0002"
down_revision = "r_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch:
        batch.add_column(sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risk_assessments") as batch:
        batch.drop_column("booked_at")
