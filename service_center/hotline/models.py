"""A callback request: the caller asked staff to call back (outside staffed hours, or nobody answered)."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base


def _now() -> datetime:
    return datetime.now(UTC)


class HotlineCallback(Base):
    __tablename__ = "hotline_callbacks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    user_key: Mapped[str | None] = mapped_column(String(64), index=True)
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(String(32), default="no_human_available")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending | done | cancelled
    note: Mapped[str | None] = mapped_column(String(500))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
