"""Imports every domain's tables so that Base.metadata knows them all (Alembic and tests use this)."""

from service_center.analytics import models as _analytics  # noqa: F401
from service_center.booking import models as _booking  # noqa: F401
from service_center.booking.holidays import models as _holidays  # noqa: F401
from service_center.db import Base
from service_center.guide_review import models as _guide_review  # noqa: F401
from service_center.hotline import models as _hotline  # noqa: F401
from service_center.kb import models as _kb  # noqa: F401
from service_center.notifications import models as _notifications  # noqa: F401
from service_center.risk.models import RiskAssessment  # noqa: F401
from service_center.safety import models as _safety  # noqa: F401
from service_center.security import models as _security  # noqa: F401
from service_center.staff import models as _staff  # noqa: F401
from service_center.wechat import models as _wechat  # noqa: F401

__all__ = ["Base"]
