"""The court's holiday arrangements (one row per year, as entered) and who entered or changed them."""

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service_center.booking.models import utcnow
from service_center.db import Base


class HolidayArrangement(Base):
    """A year's holidays and 调休 working days from the State Council's notice, as the administrator entered
    them: `holidays` and `workdays` are lists of {"name", "from", "to"} spans (ISO dates)."""

    __tablename__ = "booking_holiday_arrangements"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source_title: Mapped[str] = mapped_column(String(200))
    source_date: Mapped[dt.date] = mapped_column(Date)
    holidays: Mapped[list] = mapped_column(JSON)
    workdays: Mapped[list] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    entered_by: Mapped[str] = mapped_column(String(60))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class HolidayAudit(Base):
    """Every entry, replacement and removal of an arrangement: who, when, from where, and the whole content."""

    __tablename__ = "booking_holiday_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer, index=True)
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True)
