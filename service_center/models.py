"""Imports every domain's tables so that Base.metadata knows them all (Alembic and tests use this)."""

from service_center.db import Base
from service_center.hotline import models as _hotline  # noqa: F401

__all__ = ["Base"]
