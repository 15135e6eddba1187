"""POST /api/analytics/events: anonymous records from the Rasa event broker and the hotline connector."""

import secrets

from fastapi import APIRouter, Depends, Header, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from service_center.analytics import service
from service_center.config import Settings, get_settings
from service_center.db import get_session

router = APIRouter(tags=["analytics"])


class EventIn(BaseModel):
    kind: str = Field(max_length=30)
    outcome: str = Field(max_length=30)
    channel: str | None = Field(default=None, max_length=30)
    entry_id: str | None = Field(default=None, max_length=80, pattern=r"^[A-Za-z0-9_.\-\u4e00-\u9fff]*$")
    value: float | None = None
    at: float | None = Field(default=None, description="unix seconds; absent means now")


class EventsIn(BaseModel):
    events: list[EventIn] = Field(max_length=500)


@router.post("/api/analytics/events", status_code=202,
             summary="Anonymous analytics records (channel, kind, outcome, entry id, time): no personal data")
def ingest(body: EventsIn, authorization: str | None = Header(default=None),
           session: Session = Depends(get_session), settings: Settings = Depends(get_settings)) -> dict:
    if settings.analytics_ingest_token and not secrets.compare_digest(
            (authorization or "").encode(), f"Bearer {settings.analytics_ingest_token}".encode()):
        raise HTTPException(status_code=401, detail="需要有效的统计上报令牌")
    try:
        for item in body.events:
            service.record(session, item.kind, item.outcome, item.channel, item.entry_id, item.value,
                           service.from_unix(item.at))
    except service.InvalidEvent as exc:
        session.rollback()
        raise HTTPException(status_code=422, detail=f"统计事件不正确：{exc}") from None
    session.commit()
    return {"accepted": len(body.events)}
