"""Imports every domain's tables so that Base.metadata knows them all (Alembic and tests use this)."""

from service_center.db import Base

__all__ = ["Base"]
