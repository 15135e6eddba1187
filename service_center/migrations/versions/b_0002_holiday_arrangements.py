"""Booking: the court's holiday arrangements, their audit, and the mark on bookings a later arrangement closes.

Revision ID: b_0002
Revises: b_0001
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "b_0002"
down_revision = "b_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_holiday_arrangements",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("source_title", sa.String(200), nullable=False),
        sa.Column("source_date", sa.Date, nullable=False),
        sa.Column("holidays", sa.JSON, nullable=False),
        sa.Column("workdays", sa.JSON, nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("entered_by", sa.String(60), nullable=False),
        sa.Column("entered_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "booking_holiday_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(60), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("details", sa.JSON),
    )
    op.create_index("ix_booking_holiday_audit_at", "booking_holiday_audit", ["at"])
    op.create_index("ix_booking_holiday_audit_year", "booking_holiday_audit", ["year"])
    with op.batch_alter_table("booking_appointments") as batch:
        batch.add_column(sa.Column("holiday_conflict", sa.String(200)))
        batch.add_column(sa.Column("holiday_conflict_at", sa.DateTime))
        batch.create_index("ix_booking_appointments_holiday_conflict_at", ["holiday_conflict_at"])


def downgrade() -> None:
    with op.batch_alter_table("booking_appointments") as batch:
        batch.drop_index("ix_booking_appointments_holiday_conflict_at")
        batch.drop_column("holiday_conflict_at")
        batch.drop_column("holiday_conflict")
    op.drop_table("booking_holiday_audit")
    op.drop_table("booking_holiday_arrangements")
