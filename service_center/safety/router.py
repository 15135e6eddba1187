"""Safety events: the conversation records each crisis it answered; the staff on duty see them as alerts."""

import datetime as dt

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from service_center.auth import require_staff
from service_center.db import RowId, get_session
from service_center.safety import service
from service_center.safety.schemas import (
    SafetyCounts,
    SafetyEventCreated,
    SafetyEventIn,
    SafetyEventOut,
    SafetyEventUpdate,
)
from service_center.security.trust import require_internal

router = APIRouter(tags=["safety"])


@router.post("/api/safety/events", response_model=SafetyEventCreated, status_code=201,
             dependencies=[Depends(require_internal)],
             summary="记录一次危机应答（对话动作调用；原话仅“伤害他人的言语”保留）")
def record_event(body: SafetyEventIn, response: Response,
                 session: Session = Depends(get_session)) -> SafetyEventCreated:
    event, created = service.record(session, body)
    if not created:
        response.status_code = 200
    return SafetyEventCreated(id=event.id, created=created)


@router.get("/api/staff/safety/events", response_model=list[SafetyEventOut],
            summary="安全提醒列表（工作人员；紧急的在前）")
def list_events(status: str | None = Query(default="open", pattern="^(open|acknowledged)$"),
                since: dt.datetime | None = None, limit: int = Query(default=200, ge=1, le=1000),
                session: Session = Depends(get_session), _staff: str = Depends(require_staff)) -> list[SafetyEventOut]:
    return service.list_events(session, status, since, limit)


@router.patch("/api/staff/safety/events/{event_id}", response_model=SafetyEventOut,
              summary="确认已处理一条安全提醒（工作人员）")
def acknowledge_event(event_id: RowId, body: SafetyEventUpdate, session: Session = Depends(get_session),
                      staff: str = Depends(require_staff)) -> SafetyEventOut:
    return service.acknowledge(session, event_id, body, staff)


@router.get("/api/staff/safety/summary", response_model=SafetyCounts,
            summary="安全提醒计数（按类别、渠道；不含原话）")
def summary(since: dt.datetime | None = None, session: Session = Depends(get_session),
            _staff: str = Depends(require_staff)) -> SafetyCounts:
    since = since or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    return service.counts(session, since if since.tzinfo else since.replace(tzinfo=dt.UTC))
