"""A stored self-assessment: the normalized answers and the report, found again by a short id."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base


class RiskAssessment(Base):
    __tablename__ = "risk_assessments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # 128 random bits (service.new_id)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    channel: Mapped[str | None] = mapped_column(String(32))
    dispute_type: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(4))
    answers: Mapped[dict] = mapped_column(JSON)
    report: Mapped[dict] = mapped_column(JSON)
    # set once, by the first booking made after this self-test in the same conversation
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
