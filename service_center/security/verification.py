"""Phone numbers are verified before they receive anything but the code itself.

On web and WeChat the number gets a six-digit one-time code by SMS (the outbox in the embedded default); the
booking is made only with a verification that was confirmed. The hotline's caller id (signed by Twilio) and a
number WeChat verified (getPhoneNumber) are already verified: internal callers (actions, with the internal secret)
register them as such, and no code is sent. A verification's unguessable id stands for the phone afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from fastapi import HTTPException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service_center.config import Settings
from service_center.court.profile import load_profile
from service_center.notifications.models import SmsMessage
from service_center.notifications.service import send_sms
from service_center.privacy import mask_phone
from service_center.security import ratelimit
from service_center.security.models import PhoneVerification, utcnow

PURPOSE = "verification_code"
CHANNEL_METHODS = ("caller_id", "wechat")


def _hash(verification_id: str, code: str) -> str:
    return hmac.new(verification_id.encode(), code.encode(), hashlib.sha256).hexdigest()


def view(row: PhoneVerification, settings: Settings) -> dict:
    now = utcnow()
    wait = 0
    if row.sent_at is not None:
        wait = max(0, int(settings.verification_resend_after - (now - row.sent_at).total_seconds()))
    return {"verification_id": row.id, "phone": mask_phone(row.phone), "method": row.method,
            "verified": row.verified_at is not None,
            "expires_in": max(0, int((row.expires_at - now).total_seconds())), "resend_after": wait,
            "attempts_left": max(0, settings.verification_max_attempts - row.attempts)}


def _send_code(session: Session, row: PhoneVerification, settings: Settings, client: str) -> SmsMessage:
    since = utcnow() - dt.timedelta(hours=1)
    sent = session.execute(select(func.count(SmsMessage.id)).where(
        SmsMessage.to == f"+86{row.phone}", SmsMessage.purpose == PURPOSE, SmsMessage.created_at >= since)
    ).scalar_one()
    if sent >= settings.verification_codes_per_phone_per_hour:
        raise HTTPException(status_code=429, detail="这个号码的验证码发送太频繁了，请一小时后再试")
    ratelimit.hit(session, "sms", client, settings.sms_per_client_per_hour, dt.timedelta(hours=1),
                  "短信发送太频繁了，请一小时后再试")
    code = f"{secrets.randbelow(10 ** 6):06d}"
    row.code_hash, row.attempts, row.sent_at = _hash(row.id, code), 0, utcnow()
    row.expires_at = row.sent_at + dt.timedelta(seconds=settings.verification_code_ttl)
    court = load_profile()["court"]["short_name"]
    minutes = settings.verification_code_ttl // 60
    return send_sms(session, row.phone, f"【{court}】您的验证码是{code}，{minutes}分钟内有效，仅用于核实预约手机号。"
             "如非本人操作，请忽略本短信。", PURPOSE, settings, deliver_now=False)


def start(session: Session, phone: str, method: str, settings: Settings,
          client: str) -> tuple[PhoneVerification, SmsMessage | None]:
    """A new verification; with an SMS code (returned to be delivered after the commit) unless the channel proved
    the number."""
    now = utcnow()
    row = PhoneVerification(id=secrets.token_urlsafe(18), phone=phone, method=method,
                            expires_at=now + dt.timedelta(seconds=settings.verification_valid_for))
    if method in CHANNEL_METHODS:
        row.verified_at = now  # the channel proved the number: no code
        session.add(row)
        session.commit()
        return row, None
    session.add(row)
    message = _send_code(session, row, settings, client)
    session.commit()
    return row, message


def _get(session: Session, verification_id: str) -> PhoneVerification:
    row = session.get(PhoneVerification, verification_id) if len(verification_id) <= 40 else None
    if row is None:
        raise HTTPException(status_code=404, detail="找不到这次手机号验证，请重新获取验证码")
    return row


def resend(session: Session, verification_id: str, settings: Settings,
           client: str) -> tuple[PhoneVerification, SmsMessage | None]:
    row = _get(session, verification_id)
    if row.verified_at is not None:
        return row, None
    wait = view(row, settings)["resend_after"]
    if wait:
        raise HTTPException(status_code=429, detail=f"验证码刚发过，请{wait}秒后再重新发送",
                            headers={"Retry-After": str(wait)})
    message = _send_code(session, row, settings, client)
    session.commit()
    return row, message


def check(session: Session, verification_id: str, code: str, settings: Settings) -> PhoneVerification:
    row = _get(session, verification_id)
    if row.verified_at is not None:
        return row
    if row.code_hash is None or row.expires_at < utcnow() or row.attempts >= settings.verification_max_attempts:
        raise HTTPException(status_code=410, detail="验证码已失效，请说“重新发送”获取新的验证码")
    row.attempts += 1
    if not hmac.compare_digest(row.code_hash, _hash(row.id, code)):
        session.commit()
        left = settings.verification_max_attempts - row.attempts
        if left <= 0:
            raise HTTPException(status_code=410, detail="验证码错误次数太多，已失效，请说“重新发送”获取新的验证码")
        raise HTTPException(status_code=422, detail=f"验证码不对，请核对短信后再说一遍（还可以试{left}次）")
    row.verified_at = utcnow()
    row.code_hash = None
    row.expires_at = row.verified_at + dt.timedelta(seconds=settings.verification_valid_for)
    session.commit()
    return row


def verified(session: Session, verification_id: str | None) -> PhoneVerification | None:
    """A confirmed, unexpired verification (its phone, and the contact name if one was given), else None."""
    if not verification_id or len(verification_id) > 40:
        return None
    row = session.get(PhoneVerification, verification_id)
    if row is None or row.verified_at is None or row.expires_at < utcnow():
        return None
    return row


def set_name(session: Session, verification_id: str, name: str, settings: Settings) -> PhoneVerification:
    row = verified(session, verification_id)
    if row is None:
        raise HTTPException(status_code=404, detail="手机号验证已过期，请重新验证手机号")
    row.name = name
    session.commit()
    return row
