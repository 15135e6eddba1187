"""WeChat accounts, verified phones, subscriptions and the day-before reminder by 订阅消息."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service_center.booking.models import Appointment
from service_center.config import Settings, get_settings
from service_center.notifications.service import normalize_mobile
from service_center.privacy import mask_phone
from service_center.wechat.client import WeChatApi, WeChatApiError, get_api
from service_center.wechat.models import WeChatAccount, WeChatSubscription, utcnow

log = logging.getLogger(__name__)

# subscribeMessage value limits per key kind (the key's letters: thing1 -> thing), from WeChat's documentation.
VALUE_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "name": 10, "letter": 32, "number": 32,
                "symbol": 5, "phone_number": 17}


class PhoneNotUsable(Exception):
    """WeChat's phone cannot be used for a booking (not a mainland mobile)."""


def api_for(settings: Settings) -> WeChatApi:
    return get_api(settings.wechat_api_base, settings.wechat_app_id, settings.wechat_app_secret)


# ---------- accounts ----------
def record_login(session: Session, user_key: str, openid: str) -> WeChatAccount:
    account = session.get(WeChatAccount, user_key)
    if account is None:
        account = WeChatAccount(user_key=user_key, openid=openid)
        session.add(account)
    elif account.openid != openid:
        account.openid = openid
    session.commit()
    return account


def verify_phone(session: Session, api: WeChatApi, account: WeChatAccount, code: str) -> str:
    """Exchanges a getPhoneNumber code at WeChat and stores the phone WeChat vouches for. Raises WeChatApiError."""
    phone, country = api.phone_number(code)
    mobile = normalize_mobile(phone) if country in ("86", "") else None
    if mobile is None:
        log.info("WeChat phone for %s is not a mainland mobile (%s)", account.user_key, mask_phone(phone))
        raise PhoneNotUsable()
    account.phone, account.phone_verified_at = mobile, utcnow()
    session.commit()
    log.info("WeChat phone verified for %s: %s", account.user_key, mask_phone(mobile))
    return mobile


def verified_phone(session: Session, user_key: str | None) -> str | None:
    """The phone WeChat verified for this user key, or None. The booking side may rely on it (no SMS code)."""
    if not user_key:
        return None
    account = session.get(WeChatAccount, user_key)
    return account.phone if account is not None else None


def subscribe(session: Session, user_key: str, reference: str, template_id: str) -> WeChatSubscription:
    """Records one accepted subscription for the user's own booking; LookupError if it is not theirs."""
    appointment = session.execute(select(Appointment).where(Appointment.reference == reference)).scalar_one_or_none()
    if appointment is None or appointment.user_key != user_key or appointment.status != "booked":
        raise LookupError(reference)
    subscription = WeChatSubscription(user_key=user_key, reference=reference, template_id=template_id)
    session.add(subscription)
    session.commit()
    return subscription


# ---------- reminders ----------
def _value(key: str, value: str) -> str:
    kind = key.rstrip("0123456789")
    limit = VALUE_LIMITS.get(kind)
    return value if limit is None or len(value) <= limit else value[: limit - 1] + "…"


def reminder_data(settings: Settings, view: dict) -> dict[str, str]:
    """The template's values from the booking view, by WECHAT_REMINDER_FIELDS ("thing1=service_name,...")."""
    start = dt.datetime.fromisoformat(view["start"])
    fields = {"service_name": view["service_name"], "reference": view["reference"],
              "start": f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}",
              "date": f"{start.year}年{start.month}月{start.day}日",
              "place": view["place"], "note": "请带本人身份证件原件，按时到诉讼服务中心"}
    data = {}
    for pair in settings.wechat_reminder_fields.split(","):
        key, _, field = pair.strip().partition("=")
        if key and field in fields:
            data[key] = _value(key, fields[field])
    return data


def accepted_subscription(session: Session, reference: str, settings: Settings) -> WeChatSubscription | None:
    if not (settings.wechat_reminder_template_id and settings.wechat_app_id and settings.wechat_app_secret):
        return None
    return session.execute(select(WeChatSubscription).where(
        WeChatSubscription.reference == reference, WeChatSubscription.status == "accepted",
        WeChatSubscription.template_id == settings.wechat_reminder_template_id)
        .order_by(WeChatSubscription.id)).scalars().first()


def send_reminder(session: Session, appointment: Appointment, view: dict, settings: Settings | None = None) -> bool:
    """The day-before reminder by subscribeMessage.send, if the user subscribed. True if WeChat accepted it.
    Each subscription is claimed (accepted -> sent) before the call, so a second run never sends it again."""
    settings = settings or get_settings()
    subscription = accepted_subscription(session, appointment.reference, settings)
    account = session.get(WeChatAccount, subscription.user_key) if subscription else None
    if subscription is None or account is None:
        return False
    claimed = session.execute(update(WeChatSubscription).where(
        WeChatSubscription.id == subscription.id, WeChatSubscription.status == "accepted")
        .values(status="sent", sent_at=utcnow()))
    session.commit()
    if claimed.rowcount != 1:
        return False
    try:
        api_for(settings).send_subscribe_message(
            account.openid, subscription.template_id, reminder_data(settings, view),
            page=f"{settings.wechat_reminder_page}?reference={appointment.reference}",
            state=settings.wechat_miniprogram_state)
    except WeChatApiError as exc:
        # 43101: the user withdrew the subscription; 47003: template values do not fit WECHAT_REMINDER_FIELDS
        session.execute(update(WeChatSubscription).where(WeChatSubscription.id == subscription.id)
                        .values(status="failed", error=f"{exc.errcode} {exc.errmsg}"[:200]))
        session.commit()
        log.warning("WeChat reminder for %s failed: errcode %s", appointment.reference, exc.errcode)
        return False
    log.info("WeChat reminder sent for %s", appointment.reference)
    return True
