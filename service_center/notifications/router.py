"""Public "send me this by SMS" (text composed here, never supplied by the caller) and the staff outbox."""

import datetime as dt
import logging

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service_center.auth import Capability, require_capability
from service_center.config import Settings, get_settings
from service_center.court.profile import load_profile
from service_center.db import get_session
from service_center.notifications.models import SmsMessage
from service_center.notifications.service import deliver_later, normalize_mobile, outbox_item, send_sms
from service_center.privacy import mask_phone
from service_center.safety.texts import numbers_sms
from service_center.security import ratelimit
from service_center.security.trust import client_key, require_internal

log = logging.getLogger(__name__)
router = APIRouter(tags=["notifications"])
staff_router = APIRouter(tags=["staff"], dependencies=[Depends(require_capability(Capability.outbox))])


class SmsRequest(BaseModel):
    to: str = Field(min_length=5, max_length=20)
    kind: str = Field(pattern="^(guide_details|safety_numbers)$")
    ref: str = Field(min_length=1, max_length=80)


def guide_text(entry_id: str, settings: Settings) -> str | None:
    """The SMS for one procedure-guide entry, or None if the guide (or the entry) is not available."""
    try:
        from knowledge_base.guide import entries_by_id, load_guide
    except ImportError:
        return None
    try:
        entry = entries_by_id(load_guide()).get(entry_id)
    except Exception:  # a broken guide file must not break the SMS endpoint
        log.exception("guide could not be loaded")
        return None
    if entry is None:
        return None
    court = load_profile()["court"]["short_name"]
    return (f"【{court}】{entry.title}：{entry.short_answer} "
            f"详情：{settings.public_base_url.rstrip('/')}/guide/{entry.id}")


@router.post("/api/notifications/sms", status_code=202, dependencies=[Depends(require_internal)],
             summary="Send a guide entry's summary to a (channel-verified) mobile; internal: X-Internal-Token")
def send_guide_sms(body: SmsRequest, request: Request, session: Session = Depends(get_session),
                   settings: Settings = Depends(get_settings)) -> dict:
    mobile = normalize_mobile(body.to)
    if mobile is None:
        raise HTTPException(status_code=422, detail="手机号码不正确，请提供11位的大陆手机号码")
    # safety_numbers: the help lines after a crisis reply on the 12368 hotline (ref = the crisis kind)
    text = numbers_sms(body.ref) if body.kind == "safety_numbers" else guide_text(body.ref, settings)
    if text is None:
        raise HTTPException(status_code=404, detail="抱歉，暂时找不到这条内容，无法发送短信")
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
    recent = session.execute(select(func.count(SmsMessage.id)).where(
        SmsMessage.to == f"+86{mobile}", SmsMessage.purpose == body.kind, SmsMessage.created_at >= since)).scalar_one()
    if recent >= settings.sms_guide_per_number_per_hour:
        raise HTTPException(status_code=429, detail="这个号码短信发送太频繁了，请一小时后再试")
    ratelimit.hit(session, "sms", client_key(request), settings.sms_per_client_per_hour, dt.timedelta(hours=1),
                  "短信发送太频繁了，请一小时后再试")
    record = send_sms(session, mobile, text, body.kind, settings, deliver_now=False)
    session.commit()
    deliver_later(record, settings=settings)
    return {"status": record.status, "to": mask_phone(record.to)}


@staff_router.get("/api/staff/outbox", summary="SMS waiting in the outbox (and sent/failed ones)")
def outbox(status: str | None = Query(None, pattern="^(outbox|sent|failed)$"), limit: int = Query(100, ge=1, le=500),
           session: Session = Depends(get_session)) -> dict:
    query = select(SmsMessage).order_by(SmsMessage.id.desc()).limit(limit)
    if status:
        query = query.where(SmsMessage.status == status)
    items = [outbox_item(m) for m in session.execute(query).scalars()]
    return {"count": len(items), "messages": items}
