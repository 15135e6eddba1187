"""What litigants told us about the guide: feedback on answers, and questions it could not answer."""

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class KbFeedback(Base):
    __tablename__ = "kb_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(80), index=True)
    # stored masked (phone and ID numbers removed)
    question: Mapped[str | None] = mapped_column(Text)
    helpful: Mapped[bool] = mapped_column(Boolean)
    channel: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, index=True)


class KbUnanswered(Base):
    __tablename__ = "kb_unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)  # masked
    channel: Mapped[str | None] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(String(40))  # rejected | clarify_failed | negative_feedback | ...
    top_entry_id: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now, index=True)
