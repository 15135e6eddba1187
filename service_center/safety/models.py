"""One crisis the assistant answered: when, on which channel, what kind, in which conversation (an opaque hash).

The message text is kept only for threats against others (staff must judge the risk); never for danger, suicide
or medical emergencies, and never in any count or analytics."""

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SafetyEvent(Base):
    __tablename__ = "safety_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), index=True)  # court_common.safety.KINDS
    kinds: Mapped[list] = mapped_column(JSON, default=list)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    rules: Mapped[list] = mapped_column(JSON, default=list)  # which detector rules fired (explains the alert)
    conversation_ref: Mapped[str] = mapped_column(String(64), index=True)
    interrupted_form: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(String(500))  # threats only
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | acknowledged
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(500))
