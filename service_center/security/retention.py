"""Personal data kept only as long as needed: `make purge` (or `python -m service_center.security.retention`), run
daily from cron like `make remind`. Each kind of record has its own retention (settings RETENTION_*, in days):

| record | kept | counted from |
|---|---|---|
| bookings, their audit trail and SMS | RETENTION_BOOKINGS_DAYS (365) | the booking's date |
| risk self-assessment reports | RETENTION_RISK_DAYS (90) | creation |
| SMS log (outbox, sent, failed) | RETENTION_SMS_DAYS (90) | creation |
| handled hotline callback requests | RETENTION_CALLBACKS_DAYS (180) | creation (pending ones stay) |
| unanswered questions and feedback (stored with numbers masked) | RETENTION_QUESTIONS_DAYS (365) | creation |
| conversations in the tracker store | RETENTION_CONVERSATIONS_DAYS (30) | their last event |
| rate-limit events and phone verifications | 2 days | creation |
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from sqlalchemy import create_engine, delete, inspect, select, text, update
from sqlalchemy.orm import Session

from service_center.booking.models import Appointment, BookingAudit, SlotCounter
from service_center.config import Settings, get_settings
from service_center.db import get_sessionmaker, make_engine
from service_center.hotline.models import HotlineCallback
from service_center.kb.models import KbFeedback, KbUnanswered
from service_center.notifications.models import SmsMessage
from service_center.privacy import mask_text
from service_center.risk.models import RiskAssessment
from service_center.security.models import PhoneVerification, RateEvent, utcnow

log = logging.getLogger(__name__)
SHORT_LIVED = dt.timedelta(days=2)


def _before(days: int, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=days)


def purge_service(session: Session, settings: Settings, now: dt.datetime | None = None) -> dict[str, int]:
    """Deletes what is past its retention in the service-center database; returns how many rows of each kind."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    old_bookings = select(Appointment.reference).where(
        Appointment.slot_start < _before(settings.retention_bookings_days, now))
    references = list(session.execute(old_bookings).scalars())
    counts["booking_audit"] = session.execute(
        delete(BookingAudit).where(BookingAudit.reference.in_(references))).rowcount if references else 0
    counts["bookings"] = session.execute(
        delete(Appointment).where(Appointment.reference.in_(references))).rowcount if references else 0
    counts["slot_counters"] = session.execute(delete(SlotCounter).where(
        SlotCounter.slot_start < _before(settings.retention_bookings_days, now))).rowcount
    counts["risk_reports"] = session.execute(delete(RiskAssessment).where(
        RiskAssessment.created_at < _before(settings.retention_risk_days, now).replace(tzinfo=dt.UTC))).rowcount
    counts["sms"] = session.execute(delete(SmsMessage).where(
        SmsMessage.created_at < _before(settings.retention_sms_days, now))).rowcount
    counts["callbacks"] = session.execute(delete(HotlineCallback).where(
        HotlineCallback.status != "pending",
        HotlineCallback.created_at < _before(settings.retention_callbacks_days, now).replace(tzinfo=dt.UTC))).rowcount
    questions_cutoff = _before(settings.retention_questions_days, now)
    counts["unanswered_questions"] = session.execute(
        delete(KbUnanswered).where(KbUnanswered.created_at < questions_cutoff)).rowcount
    counts["feedback"] = session.execute(delete(KbFeedback).where(KbFeedback.created_at < questions_cutoff)).rowcount
    # Stored questions are masked when written; mask again what an older version may have kept.
    for row in session.execute(select(KbUnanswered.id, KbUnanswered.question)).all():
        if row.question and mask_text(row.question) != row.question:
            session.execute(update(KbUnanswered).where(KbUnanswered.id == row.id)
                            .values(question=mask_text(row.question)))
    counts["rate_events"] = session.execute(delete(RateEvent).where(RateEvent.at < now - SHORT_LIVED)).rowcount
    counts["phone_verifications"] = session.execute(
        delete(PhoneVerification).where(PhoneVerification.created_at < now - SHORT_LIVED)).rowcount
    session.commit()
    return counts


def tracker_url(settings: Settings) -> str | None:
    if settings.tracker_db_url:
        return settings.tracker_db_url
    if settings.rasa_tracker_db:
        return f"sqlite:///{settings.rasa_tracker_db}"
    return None


def purge_conversations(url: str, days: int, now: float | None = None) -> int:
    """Deletes every conversation of Rasa's SQL tracker store (table `events`) whose last event is older."""
    cutoff = (now or time.time()) - days * 86400
    engine = make_engine(url) if url.startswith("sqlite") else create_engine(url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            return connection.execute(text(
                "DELETE FROM events WHERE sender_id IN (SELECT sender_id FROM events GROUP BY sender_id "
                "HAVING MAX(timestamp) < :cutoff)"), {"cutoff": cutoff}).rowcount
    finally:
        engine.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    with get_sessionmaker()() as session:
        counts = purge_service(session, settings)
    url = tracker_url(settings)
    if url:
        counts["conversation_events"] = purge_conversations(url, settings.retention_conversations_days)
    print("purged: " + ", ".join(f"{kind} {count}" for kind, count in counts.items()))


if __name__ == "__main__":
    main()
