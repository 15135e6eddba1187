"""Guide review: decisions on unanswered questions, settled items, sample questions attached to guide entries.

Revision ID: g_0001
Revises: 0001_baseline
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "g_0001"
down_revision = "0001_baseline"
branch_labels = ("g",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guide_review_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("group_question", sa.Text, nullable=False),
        sa.Column("questions", sa.JSON, nullable=False),
        sa.Column("entry_id", sa.String(80)),
        sa.Column("sample_question", sa.String(200)),
        sa.Column("note", sa.String(500)),
    )
    op.create_index("ix_guide_review_decisions_at", "guide_review_decisions", ["at"])
    op.create_index("ix_guide_review_decisions_action", "guide_review_decisions", ["action"])
    op.create_table(
        "guide_review_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("guide_review_decisions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.UniqueConstraint("source", "item_id", name="uq_guide_review_item"),
    )
    op.create_table(
        "guide_sample_questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_id", sa.String(80), nullable=False),
        sa.Column("question", sa.String(200), nullable=False),
        sa.Column("decision_id", sa.Integer, sa.ForeignKey("guide_review_decisions.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("entry_id", "question", name="uq_guide_sample_question"),
    )
    op.create_index("ix_guide_sample_questions_entry_id", "guide_sample_questions", ["entry_id"])


def downgrade() -> None:
    op.drop_table("guide_sample_questions")
    op.drop_table("guide_review_items")
    op.drop_table("guide_review_decisions")
