"""The analytics table: what happened, where and when, with no personal data (no text, names, numbers or ids)."""

import datetime as dt

from sqlalchemy import Date, DateTime, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base


class AnalyticsEvent(Base):
    __tablename__ = "analytics_events"
    __table_args__ = (Index("ix_analytics_kind_day", "kind", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    day: Mapped[dt.date] = mapped_column(Date)  # court-local date, for per-day figures
    hour: Mapped[int] = mapped_column(Integer)  # court-local hour 0-23
    channel: Mapped[str] = mapped_column(String(20))  # web | hotline | wechat | api
    kind: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(30))
    entry_id: Mapped[str | None] = mapped_column(String(80), nullable=True)  # guide entry / service / dispute type
    value: Mapped[float | None] = mapped_column(Float, nullable=True)  # e.g. booking lead days, callback age hours
