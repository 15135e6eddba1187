"""Hotline callback API: the connector records requests; staff list them and mark them done."""

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from service_center.auth import Capability, require_capability
from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.hotline import service
from service_center.hotline.fallback import fallback_twiml, signed_form
from service_center.hotline.schemas import CallbackCreated, CallbackOut, CallbackRequest, CallbackUpdate

router = APIRouter(tags=["hotline"])
require_agent = require_capability(Capability.callbacks)


@router.post("/api/hotline/callbacks", response_model=CallbackCreated, status_code=201,
             summary="登记回电请求（12368 热线连接器在无人接听或非工作时间调用）")
def request_callback(body: CallbackRequest, response: Response,
                     session: Session = Depends(get_session)) -> CallbackCreated:
    callback, created = service.request_callback(session, body)
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
def update_callback(callback_id: int, body: CallbackUpdate, session: Session = Depends(get_session),
                    _staff: str = Depends(require_agent)) -> CallbackOut:
    return service.update_callback(session, callback_id, body)


@router.post("/api/hotline/fallback", summary="Twilio 备用处理地址：Rasa 无法应答时致歉并转人工（TwiML）",
             response_class=Response)
async def fallback(request: Request, settings: Settings = Depends(get_settings)) -> Response:
    params = await signed_form(request, settings)
    dial_status = params.get("DialCallStatus") if request.query_params.get("after") == "dial" else None
    return Response(fallback_twiml(settings, dial_status), media_type="text/xml")
