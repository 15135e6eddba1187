"""WeChat mini-program: accounts (verified phone) and 订阅消息 subscriptions.

Revision ID: w_0001
Revises: 0001_baseline
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "w_0001"
down_revision = "0001_baseline"
branch_labels = ("w",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wechat_accounts",
        sa.Column("user_key", sa.String(64), primary_key=True),
        sa.Column("openid", sa.String(128), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("phone_verified_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "wechat_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_key", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(12), nullable=False),
        sa.Column("template_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_wechat_subscriptions_user_key", "wechat_subscriptions", ["user_key"])
    op.create_index("ix_wechat_subscriptions_reference", "wechat_subscriptions", ["reference"])
    op.create_index("ix_wechat_subscriptions_status", "wechat_subscriptions", ["status"])


def downgrade() -> None:
    op.drop_table("wechat_subscriptions")
    op.drop_table("wechat_accounts")
