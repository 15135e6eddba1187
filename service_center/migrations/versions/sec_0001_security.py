"""Security: rate-limit events, phone verifications, idempotency bound to the request, unguessable risk report ids.

Existing six-digit risk report ids are replaced by 128-bit ones (their old links stop working: a six-digit id
could be enumerated, and the reports hold findings such as domestic violence).

Revision ID: sec_0001
Revises: 0001_baseline (depends on b_0001 and r_0001)
Create Date: 2026-12-05
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "sec_0001"
down_revision = "0001_baseline"
branch_labels = ("security",)
depends_on = ("b_0001", "r_0001")


def upgrade() -> None:
    op.create_table(
        "security_rate_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_security_rate_events_kind", "security_rate_events", ["kind"])
    op.create_index("ix_security_rate_events_key_hash", "security_rate_events", ["key_hash"])
    op.create_index("ix_security_rate_events_at", "security_rate_events", ["at"])
    op.create_table(
        "security_phone_verifications",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("name", sa.String(50), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_security_phone_verifications_phone", "security_phone_verifications", ["phone"])
    op.create_index("ix_security_phone_verifications_created_at", "security_phone_verifications", ["created_at"])
    with op.batch_alter_table("booking_appointments") as batch:
        batch.add_column(sa.Column("request_hash", sa.String(64), nullable=True))
    with op.batch_alter_table("risk_assessments") as batch:
        batch.alter_column("id", type_=sa.String(40), existing_type=sa.String(12))
    connection = op.get_bind()
    for (old_id,) in connection.execute(sa.text("SELECT id FROM risk_assessments")).all():
        if len(old_id) < 22:
            connection.execute(sa.text("UPDATE risk_assessments SET id = :new WHERE id = :old"),
                               {"new": secrets.token_urlsafe(16), "old": old_id})


def downgrade() -> None:
    with op.batch_alter_table("booking_appointments") as batch:
        batch.drop_column("request_hash")
    op.drop_table("security_phone_verifications")
    op.drop_table("security_rate_events")
