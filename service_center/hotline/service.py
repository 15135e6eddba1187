"""Callback requests: one pending request per phone number, idempotent per call."""

import logging
from datetime import UTC, datetime

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from service_center.analytics import service as analytics
from service_center.hotline.models import HotlineCallback
from service_center.hotline.schemas import CallbackOut, CallbackRequest, CallbackUpdate
from service_center.privacy import mask_phone

log = logging.getLogger(__name__)


def request_callback(session: Session, body: CallbackRequest) -> tuple[HotlineCallback, bool]:
    """Stores a request, unless this call or this number already has a pending one (then returns that)."""
    if body.call_sid:
        existing = session.scalar(select(HotlineCallback).where(HotlineCallback.call_sid == body.call_sid))
        if existing:
            return existing, False
    pending = session.scalar(select(HotlineCallback).where(
        HotlineCallback.phone == body.phone, HotlineCallback.status == "pending"))
    if pending:
        return pending, False
    callback = HotlineCallback(phone=body.phone, user_key=body.user_key, call_sid=body.call_sid, reason=body.reason)
    session.add(callback)
    analytics.record(session, "callback", "requested", "hotline", entry_id=body.reason)
    session.commit()
    log.info("hotline callback requested by %s (%s)", mask_phone(body.phone), body.reason)
    return callback, True


def list_callbacks(session: Session, status: str | None, limit: int) -> list[CallbackOut]:
    query = select(HotlineCallback).order_by(HotlineCallback.created_at).limit(limit)
    if status:
        query = query.where(HotlineCallback.status == status)
    return [out(callback) for callback in session.scalars(query)]


def update_callback(session: Session, callback_id: int, body: CallbackUpdate) -> CallbackOut:
    callback = session.get(HotlineCallback, callback_id)
    if callback is None:
        raise HTTPException(status_code=404, detail="找不到这条回电登记")
    if callback.status != "pending":
        raise HTTPException(status_code=409, detail="这条回电登记已经处理过了")
    callback.status, callback.note, callback.handled_at = body.status, body.note, datetime.now(UTC)
    created = callback.created_at if callback.created_at.tzinfo else callback.created_at.replace(tzinfo=UTC)
    analytics.record(session, "callback", body.status, "hotline", entry_id=callback.reason,
                     value=round((callback.handled_at - created).total_seconds() / 3600, 2))
    session.commit()
    return out(callback)


def _utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes even for timezone=True columns: they were stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def out(callback: HotlineCallback) -> CallbackOut:
    return CallbackOut(id=callback.id, created_at=_utc(callback.created_at), phone=callback.phone,
                       phone_masked=mask_phone(callback.phone), user_key=callback.user_key, reason=callback.reason,
                       status=callback.status, note=callback.note, handled_at=_utc(callback.handled_at))
