"""Hotline callback API: the connector records requests; staff list them and mark them done."""

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from service_center.auth import Capability, require_capability
from service_center.config import Settings, get_settings
from service_center.db import RowId, get_session
from service_center.hotline import service
from service_center.hotline.fallback import router as fallback_router
from service_center.hotline.schemas import CallbackCreated, CallbackOut, CallbackRequest, CallbackUpdate
from service_center.security import ratelimit
from service_center.security.trust import client_key, require_internal

router = APIRouter(tags=["hotline"])
require_agent = require_capability(Capability.callbacks)
# The fallback TwiML also has its own process (fallback_app.py); served here too for set-ups that point Twilio here.
router.include_router(fallback_router)


@router.post("/api/hotline/callbacks", response_model=CallbackCreated, status_code=201,
             dependencies=[Depends(require_internal)],
             summary="登记回电请求（12368 热线连接器在无人接听或非工作时间调用；内部接口：X-Internal-Token）")
def request_callback(body: CallbackRequest, request: Request, response: Response,
                     session: Session = Depends(get_session),
                     settings: Settings = Depends(get_settings)) -> CallbackCreated:
    ratelimit.check(session, "callback", client_key(request), settings.callbacks_per_client_per_day,
                    dt.timedelta(days=1), "今天登记回电的次数太多了，请在工作时间拨打12368")
    callback, created = service.request_callback(session, body)
    if created:
        ratelimit.record(session, "callback", client_key(request))
        session.commit()
    if not created:
        response.status_code = 200
    return CallbackCreated(id=callback.id, status=callback.status, created=created)


@router.get("/api/staff/hotline/callbacks", response_model=list[CallbackOut], summary="回电登记列表（工作人员）")
def list_callbacks(status: Literal["pending", "done", "cancelled"] | None = "pending",
                   limit: int = Query(default=200, ge=1, le=1000),
                   session: Session = Depends(get_session), _staff: str = Depends(require_agent)) -> list[CallbackOut]:
    return service.list_callbacks(session, status, limit)


@router.patch("/api/staff/hotline/callbacks/{callback_id}", response_model=CallbackOut,
              summary="标记回电已处理或取消（工作人员）")
def update_callback(callback_id: RowId, body: CallbackUpdate, session: Session = Depends(get_session),
                    _staff: str = Depends(require_agent)) -> CallbackOut:
    return service.update_callback(session, callback_id, body)
