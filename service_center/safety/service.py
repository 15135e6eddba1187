"""Recording and listing safety events. One alert per conversation and kind within ten minutes (a person who
repeats "我不想活了" is one alert, not ten); the text is dropped unless the kind is a threat."""

import datetime as dt
import logging

from fastapi import HTTPException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from court_common.safety import KIND_NAMES, THREAT
from service_center.safety.models import SafetyEvent
from service_center.safety.schemas import SafetyCounts, SafetyEventIn, SafetyEventOut, SafetyEventUpdate

log = logging.getLogger(__name__)
REPEAT_WINDOW = dt.timedelta(minutes=10)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes even for timezone-aware columns: they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def record(session: Session, body: SafetyEventIn) -> tuple[SafetyEvent, bool]:
    since = dt.datetime.now(dt.UTC) - REPEAT_WINDOW
    recent = session.scalar(select(SafetyEvent).where(
        SafetyEvent.conversation_ref == body.conversation_ref, SafetyEvent.kind == body.kind,
        SafetyEvent.created_at >= since).order_by(SafetyEvent.id.desc()))
    if recent:
        return recent, False
    event = SafetyEvent(channel=body.channel, kind=body.kind, kinds=list(body.kinds or [body.kind]),
                        urgent=body.urgent, rules=list(body.rules), conversation_ref=body.conversation_ref,
                        interrupted_form=body.interrupted_form, text=body.text if body.kind == THREAT else None)
    session.add(event)
    session.commit()
    log.warning("safety alert %s: %s on %s%s", event.id, event.kind, event.channel, " (urgent)" if event.urgent else "")
    return event, True


def list_events(session: Session, status: str | None, since: dt.datetime | None, limit: int) -> list[SafetyEventOut]:
    query = select(SafetyEvent).order_by(SafetyEvent.urgent.desc(), SafetyEvent.created_at.desc()).limit(limit)
    if status:
        query = query.where(SafetyEvent.status == status)
    if since:
        query = query.where(SafetyEvent.created_at >= since)
    return [out(event) for event in session.scalars(query)]


def acknowledge(session: Session, event_id: int, body: SafetyEventUpdate, staff: str) -> SafetyEventOut:
    event = session.get(SafetyEvent, event_id)
    if event is None:
        raise HTTPException(status_code=404, detail="找不到这条安全提醒")
    if event.status != "open":
        raise HTTPException(status_code=409, detail="这条安全提醒已经有人处理了")
    event.status, event.note = body.status, body.note
    event.acknowledged_by, event.acknowledged_at = str(staff)[:64], dt.datetime.now(dt.UTC)
    session.commit()
    return out(event)


def counts(session: Session, since: dt.datetime) -> SafetyCounts:
    """For dashboards: numbers only, never a text."""
    where = SafetyEvent.created_at >= since
    by_kind = dict(session.execute(
        select(SafetyEvent.kind, func.count()).where(where).group_by(SafetyEvent.kind)).all())
    by_channel = dict(session.execute(
        select(SafetyEvent.channel, func.count()).where(where).group_by(SafetyEvent.channel)).all())
    open_count = session.scalar(select(func.count()).select_from(SafetyEvent).where(
        where, SafetyEvent.status == "open")) or 0
    return SafetyCounts(since=since, total=sum(by_kind.values()), by_kind=by_kind, by_channel=by_channel,
                        open=open_count)


def out(event: SafetyEvent) -> SafetyEventOut:
    return SafetyEventOut(
        id=event.id, created_at=_utc(event.created_at), channel=event.channel, kind=event.kind,
        kind_name=KIND_NAMES.get(event.kind, event.kind), kinds=list(event.kinds or []), urgent=event.urgent,
        rules=list(event.rules or []), conversation_ref=event.conversation_ref,
        interrupted_form=event.interrupted_form, text=event.text, status=event.status,
        acknowledged_by=event.acknowledged_by,
        acknowledged_at=_utc(event.acknowledged_at) if event.acknowledged_at else None, note=event.note)
