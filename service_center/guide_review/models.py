"""The unanswered-question loop: sample questions staff attached to guide entries, and every review decision."""

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base, utcnow


class ReviewDecision(Base):
    __tablename__ = "guide_review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20), index=True)  # attach | needs_entry | dismiss
    group_question: Mapped[str] = mapped_column(Text)  # the group's representative question (masked)
    questions: Mapped[list] = mapped_column(JSON)  # every question of the group (masked)
    entry_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    sample_question: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ReviewedItem(Base):
    """One unanswered question or negative feedback row, settled by a decision (so it leaves the review list)."""

    __tablename__ = "guide_review_items"
    __table_args__ = (UniqueConstraint("source", "item_id", name="uq_guide_review_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # unanswered | feedback
    item_id: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int] = mapped_column(ForeignKey("guide_review_decisions.id", ondelete="CASCADE"))


class SampleQuestion(Base):
    """A question litigants really asked, attached to a guide entry: merged into the entry's sample questions at the
    next index build (POST /api/staff/kb/reload), so the same question finds that entry from then on."""

    __tablename__ = "guide_sample_questions"
    __table_args__ = (UniqueConstraint("entry_id", "question", name="uq_guide_sample_question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(80), index=True)
    question: Mapped[str] = mapped_column(String(200))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("guide_review_decisions.id", ondelete="SET NULL"),
                                                    nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
