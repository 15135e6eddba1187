"""Recording analytics events (from the Rasa event broker, the hotline connector and the service center's own
domains, in the same transaction as the thing they count) and reading them back as the dashboard's figures."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from court_common.analytics import KINDS, channel_of
from service_center.analytics.models import AnalyticsEvent
from service_center.court.profile import load_profile
from service_center.db import utcnow


class InvalidEvent(ValueError):
    pass


@lru_cache
def court_tz() -> ZoneInfo:
    return ZoneInfo(((load_profile().get("booking") or {}).get("timezone")) or "Asia/Shanghai")


def record(session: Session, kind: str, outcome: str, channel: str | None = None, entry_id: str | None = None,
           value: float | None = None, at: dt.datetime | None = None) -> AnalyticsEvent:
    """Adds one event to the caller's transaction (the caller commits). `channel` may be a Rasa channel name."""
    if kind not in KINDS or outcome not in KINDS[kind]:
        raise InvalidEvent(f"unknown kind/outcome {kind}/{outcome}")
    at = at or utcnow()
    local = at.replace(tzinfo=dt.UTC).astimezone(court_tz())
    event = AnalyticsEvent(at=at, day=local.date(), hour=local.hour, channel=channel_of(channel), kind=kind,
                           outcome=outcome, entry_id=(entry_id or None) and str(entry_id)[:80], value=value)
    session.add(event)
    return event


def from_unix(seconds: float | None) -> dt.datetime | None:
    if seconds is None:
        return None
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)
    now = utcnow()
    # a clock far off (or a forged time) is recorded as now, never in the future or the distant past
    return moment if now - dt.timedelta(days=2) <= moment <= now + dt.timedelta(minutes=5) else now


def events(session: Session, start: dt.date, end: dt.date, kinds: list[str] | None = None,
           channel: str | None = None):
    """Events whose court-local day is in [start, end] (inclusive)."""
    query = select(AnalyticsEvent).where(AnalyticsEvent.day >= start, AnalyticsEvent.day <= end)
    if kinds:
        query = query.where(AnalyticsEvent.kind.in_(kinds))
    if channel:
        query = query.where(AnalyticsEvent.channel == channel)
    return session.scalars(query.order_by(AnalyticsEvent.at))


def count(session: Session, kind: str, start: dt.date, end: dt.date, outcome: str | None = None,
          channel: str | None = None) -> int:
    query = select(func.count(AnalyticsEvent.id)).where(AnalyticsEvent.kind == kind, AnalyticsEvent.day >= start,
                                                       AnalyticsEvent.day <= end)
    if outcome:
        query = query.where(AnalyticsEvent.outcome == outcome)
    if channel:
        query = query.where(AnalyticsEvent.channel == channel)
    return session.scalar(query) or 0
