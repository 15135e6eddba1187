"""Tables of the security domain: counted events for rate limits, and one-time phone verification codes."""

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class RateEvent(Base):
    """One counted event (a booking, an SMS, a failed look-up ...) of one client, phone or identity (hashed)."""

    __tablename__ = "security_rate_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class PhoneVerification(Base):
    """A phone number being (or already) verified: by a one-time SMS code, or by the channel itself (the hotline's
    signed caller id, a WeChat-verified number). Its unguessable id stands for the phone in the conversation, so
    the tracker keeps only the id and the masked number. The code is stored hashed."""

    __tablename__ = "security_phone_verifications"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    method: Mapped[str] = mapped_column(String(20), default="sms_code")  # sms_code | caller_id | wechat
    # The booking's contact name, given after the number (so the conversation's tracker never keeps it).
    name: Mapped[str | None] = mapped_column(String(50), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
