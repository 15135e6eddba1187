"""Booking tables. Slot times are stored as naive court-local times (Asia/Shanghai), which keeps
the day filter and the slot key identical on SQLite and PostgreSQL."""

import datetime as dt

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Appointment(Base):
    __tablename__ = "booking_appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True, index=True)
    service: Mapped[str] = mapped_column(String(40), index=True)
    slot_start: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="booked", index=True)
    user_key: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # sha256 of (scope, the client's Idempotency-Key): keys are scoped to who sent them (service.idempotency_scope)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    # sha256 of the request's content: a replayed key with another content is refused, never answered with this
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reminder_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # Set when a holiday arrangement entered after booking closes the booked day (the litigant is sent an SMS to
    # rebook, staff see it in /api/staff/calendar/affected); cleared when the booking moves to an open day.
    holiday_conflict: Mapped[str | None] = mapped_column(String(200), nullable=True)
    holiday_conflict_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class SlotCounter(Base):
    """One row per (service, slot start) ever booked: `booked` places taken. The only way to take a place is
    the conditional UPDATE in service.take_place (booked = booked + 1 WHERE booked < capacity)."""

    __tablename__ = "booking_slot_counters"
    __table_args__ = (UniqueConstraint("service", "slot_start", name="uq_booking_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(40))
    slot_start: Mapped[dt.datetime] = mapped_column(DateTime)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class BookingAudit(Base):
    """逐案登记、全程留痕: who did what to which appointment, when. Details never hold unmasked phones."""

    __tablename__ = "booking_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str] = mapped_column(String(12), index=True)
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True)
