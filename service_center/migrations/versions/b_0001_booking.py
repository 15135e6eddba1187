"""Booking: appointments, slot counters, audit log; notifications: the SMS outbox.

Revision ID: b_0001
Revises: 0001_baseline
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "b_0001"
down_revision = "0001_baseline"
branch_labels = ("b",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_appointments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(12), nullable=False),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("slot_start", sa.DateTime, nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("description", sa.String(200)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("user_key", sa.String(128)),
        sa.Column("channel", sa.String(30)),
        sa.Column("idempotency_key", sa.String(128)),
        sa.Column("cancel_reason", sa.String(200)),
        sa.Column("reminder_sent_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_booking_idempotency_key"),
    )
    op.create_index("ix_booking_appointments_reference", "booking_appointments", ["reference"], unique=True)
    op.create_index("ix_booking_appointments_service", "booking_appointments", ["service"])
    op.create_index("ix_booking_appointments_slot_start", "booking_appointments", ["slot_start"])
    op.create_index("ix_booking_appointments_status", "booking_appointments", ["status"])
    op.create_index("ix_booking_appointments_user_key", "booking_appointments", ["user_key"])
    op.create_table(
        "booking_slot_counters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service", sa.String(40), nullable=False),
        sa.Column("slot_start", sa.DateTime, nullable=False),
        sa.Column("booked", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("service", "slot_start", name="uq_booking_slot"),
        sa.CheckConstraint("booked >= 0", name="ck_booking_slot_not_negative"),
    )
    op.create_table(
        "booking_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(60), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("reference", sa.String(12), nullable=False),
        sa.Column("details", sa.JSON),
    )
    op.create_index("ix_booking_audit_at", "booking_audit", ["at"])
    op.create_index("ix_booking_audit_reference", "booking_audit", ["reference"])
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("to", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("provider_sid", sa.String(64)),
        sa.Column("error", sa.String(300)),
    )
    op.create_index("ix_sms_messages_created_at", "sms_messages", ["created_at"])
    op.create_index("ix_sms_messages_to", "sms_messages", ["to"])
    op.create_index("ix_sms_messages_purpose", "sms_messages", ["purpose"])
    op.create_index("ix_sms_messages_status", "sms_messages", ["status"])


def downgrade() -> None:
    op.drop_table("sms_messages")
    op.drop_table("booking_audit")
    op.drop_table("booking_slot_counters")
    op.drop_table("booking_appointments")
