"""Imports every domain's tables so that Base.metadata knows them all (Alembic and tests use this)."""

from service_center.booking import models as _booking  # noqa: F401
from service_center.db import Base
from service_center.notifications import models as _notifications  # noqa: F401

__all__ = ["Base"]
