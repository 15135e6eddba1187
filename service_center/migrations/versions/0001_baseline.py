"""Baseline: the empty schema every domain's migrations branch from.

Each domain keeps its own branch of revisions starting here; `alembic upgrade heads` applies them all.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-24
"""

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
