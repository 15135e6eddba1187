"""Store and fetch self-assessments, each under an unguessable id (the reports hold findings such as domestic
violence: a short id could be enumerated)."""

import re
import secrets
from datetime import date, timedelta, timezone
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service_center.analytics import service as analytics
from service_center.config import get_settings
from service_center.court.profile import lookup
from service_center.db import utcnow
from service_center.risk.engine import assess
from service_center.risk.models import RiskAssessment

# a booking this long after the self-test no longer counts as "led to" by it
BOOKING_FOLLOWS_WITHIN = timedelta(days=30)
ID_BYTES = 16  # 128 bits, 22 URL-safe characters
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,40}$")


def new_id() -> str:
    """128 random bits, URL-safe: the report's link is its only key, so it must not be guessable."""
    return secrets.token_urlsafe(ID_BYTES)


def local_amounts() -> dict[str, Any]:
    try:
        return lookup("local_amounts") or {}
    except KeyError:
        return {}


def report_url(assessment_id: str) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/risk/{assessment_id}"


def public_view(row: RiskAssessment) -> dict[str, Any]:
    report = dict(row.report)
    url = report_url(row.id)
    return {"id": row.id, "created_at": row.created_at.isoformat() if row.created_at else None, **report,
            "url": url, "card": {"type": "risk_report", "id": row.id, "level": report["level"], "url": url}}


def create(session: Session, answers: dict[str, Any], channel: str | None, today: date | None = None) -> RiskAssessment:
    report = assess(answers, today or date.today(), local_amounts())
    for _attempt in range(20):
        row = RiskAssessment(id=new_id(), channel=channel, dispute_type=answers["dispute_type"],
                             level=report["level"], answers=answers, report=report)
        session.add(row)
        analytics.record(session, "risk_assessment", row.level, channel, entry_id=row.dispute_type)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        session.refresh(row)
        return row
    raise RuntimeError("could not allocate a risk assessment id")


def mark_booked(session: Session, assessment_id: str | None, channel: str | None) -> bool:
    """A booking followed this self-test in the same conversation: counted once per report, in the caller's
    transaction. An unknown or stale id changes nothing (it must not fail a booking)."""
    if not assessment_id:
        return False
    row = session.get(RiskAssessment, assessment_id[:40])
    if row is None or row.booked_at is not None:
        return False
    at, created = utcnow(), row.created_at
    if created is not None and created.tzinfo is not None:  # PostgreSQL gives it aware, SQLite naive UTC
        created = created.astimezone(timezone.utc).replace(tzinfo=None)
    if created is not None and at - created > BOOKING_FOLLOWS_WITHIN:
        return False
    row.booked_at = at
    analytics.record(session, "risk_booking", "booked", channel, entry_id=row.dispute_type, at=at)
    return True

