"""Phone verification API: a one-time SMS code, or (internal callers only) a number the channel already proved."""

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.notifications.service import deliver_later, normalize_mobile
from service_center.security import verification
from service_center.security.trust import client_key, is_internal

router = APIRouter(tags=["verification"])


class VerificationStart(BaseModel):
    phone: str = Field(min_length=5, max_length=20)
    method: Literal["sms_code", "caller_id", "wechat"] = Field(
        "sms_code", description="caller_id / wechat: the channel verified the number (internal callers only)")


class VerificationCode(BaseModel):
    code: str = Field(pattern=r"^[0-9]{6}$", description="the six digits of the SMS")


@router.post("/api/verification/phone", status_code=201, summary="Send a one-time code to a mobile number")
def start(body: VerificationStart, request: Request, session: Session = Depends(get_session),
          settings: Settings = Depends(get_settings)) -> dict:
    mobile = normalize_mobile(body.phone)
    if mobile is None:
        raise HTTPException(status_code=422, detail="手机号码不正确，请提供11位的大陆手机号码")
    if body.method != "sms_code" and not is_internal(request):
        raise HTTPException(status_code=403, detail="只有热线来电号码或微信验证过的号码可以免验证码")
    row, message = verification.start(session, mobile, body.method, settings, client_key(request))
    if message is not None:
        deliver_later(message, settings=settings)
    return verification.view(row, settings)


@router.post("/api/verification/phone/{verification_id}/resend", summary="重新发送: a new code to the same number")
def resend(verification_id: str, request: Request, session: Session = Depends(get_session),
           settings: Settings = Depends(get_settings)) -> dict:
    row, message = verification.resend(session, verification_id, settings, client_key(request))
    if message is not None:
        deliver_later(message, settings=settings)
    return verification.view(row, settings)


@router.post("/api/verification/phone/{verification_id}/check", summary="Confirm the number with the SMS code")
def check(verification_id: str, body: VerificationCode, session: Session = Depends(get_session),
          settings: Settings = Depends(get_settings)) -> dict:
    return verification.view(verification.check(session, verification_id, body.code, settings), settings)


class ContactName(BaseModel):
    name: str = Field(min_length=1, max_length=30)


@router.post("/api/verification/phone/{verification_id}/name",
             summary="The booking's contact name, kept with the verified number (not in the conversation)")
def contact_name(verification_id: str, body: ContactName, session: Session = Depends(get_session),
                 settings: Settings = Depends(get_settings)) -> dict:
    name = body.name.strip()
    if not name:
        raise HTTPException(status_code=422, detail="请提供预约人姓名（30字以内）")
    return verification.view(verification.set_name(session, verification_id, name, settings), settings)
