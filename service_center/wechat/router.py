"""Internal endpoints for the WeChat connector (header X-Internal-Token = INTERNAL_SECRET). The user key comes
from the connector's signed session token, never from the mini-program; the phone only from WeChat."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from service_center.config import Settings, get_settings
from service_center.db import get_session
from service_center.privacy import mask_phone
from service_center.security.trust import require_internal
from service_center.wechat import service
from service_center.wechat.client import WeChatApiError
from service_center.wechat.models import WeChatAccount

USER_KEY = r"^wx_[0-9a-f]{32}$"
NOT_LOGGED_IN = "请重新登录微信小程序后再试"


router = APIRouter(prefix="/api/wechat", tags=["wechat (internal)"], dependencies=[Depends(require_internal)])


class Login(BaseModel):
    openid: str = Field(min_length=1, max_length=128)


class PhoneCode(BaseModel):
    code: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_\-]+$")


class Subscription(BaseModel):
    reference: str = Field(pattern=r"^\d{6}$")
    template_id: str = Field(min_length=1, max_length=64)


def account_view(account: WeChatAccount | None) -> dict:
    phone = account.phone if account is not None else None
    return {"verified_phone": phone, "phone_masked": mask_phone(phone) if phone else None}


def _account(session: Session, user_key: str) -> WeChatAccount:
    account = session.get(WeChatAccount, user_key)
    if account is None:
        raise HTTPException(status_code=404, detail=NOT_LOGGED_IN)
    return account


UserKey = Annotated[str, Path(pattern=USER_KEY)]


@router.put("/accounts/{user_key}", summary="A login: remember the openid (for 订阅消息), return the verified phone")
def login(user_key: UserKey, body: Login, session: Session = Depends(get_session)) -> dict:
    return account_view(service.record_login(session, user_key, body.openid))


@router.get("/accounts/{user_key}", summary="The phone WeChat verified for this user, if any")
def account(user_key: UserKey, session: Session = Depends(get_session)) -> dict:
    return account_view(session.get(WeChatAccount, user_key))


@router.post("/accounts/{user_key}/phone", summary="Exchange a getPhoneNumber code at WeChat and keep the phone")
def verify_phone(user_key: UserKey, body: PhoneCode, session: Session = Depends(get_session),
                 settings: Settings = Depends(get_settings)) -> dict:
    account = _account(session, user_key)
    try:
        service.verify_phone(session, service.api_for(settings), account, body.code)
    except service.PhoneNotUsable:
        raise HTTPException(status_code=422, detail="这个微信绑定的不是大陆手机号，请直接输入11位手机号") from None
    except WeChatApiError as exc:
        raise _phone_error(exc) from None
    return account_view(account)


def _phone_error(exc: WeChatApiError) -> HTTPException:
    if exc.errcode == 40029:
        return HTTPException(status_code=400, detail="手机号授权已失效，请重新点击“使用微信手机号”")
    if exc.errcode == 45011:
        return HTTPException(status_code=429, detail="操作太频繁，请一分钟后再试")
    if exc.unavailable:
        return HTTPException(status_code=503, detail="暂时连不上微信服务，请稍后再试，或直接输入手机号")
    return HTTPException(status_code=502, detail="微信暂时无法提供手机号，请直接输入手机号")


@router.post("/accounts/{user_key}/subscriptions", status_code=201,
             summary="The user accepted the booking-reminder 订阅消息 for one of their bookings")
def subscribe(user_key: UserKey, body: Subscription, session: Session = Depends(get_session),
              settings: Settings = Depends(get_settings)) -> dict:
    _account(session, user_key)
    if not settings.wechat_reminder_template_id or body.template_id != settings.wechat_reminder_template_id:
        raise HTTPException(status_code=422, detail="提醒模板不正确，请更新小程序后再试")
    try:
        subscription = service.subscribe(session, user_key, body.reference, body.template_id)
    except LookupError:
        raise HTTPException(status_code=404, detail="没有找到您的这个预约") from None
    return {"reference": subscription.reference, "status": subscription.status}
