"""send_sms: the one way any part of the service center sends a text message.

With TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_MESSAGING_FROM set, the message goes out through the
official `twilio` library (Messages API) and is logged as sent (or failed, with Twilio's error). Without them
it waits in the outbox table, which staff read at GET /api/staff/outbox. Either way there is one row per message.
"""

import logging
import re

from sqlalchemy.orm import Session

from service_center.config import Settings, get_settings
from service_center.notifications.models import SmsMessage
from service_center.privacy import mask_phone

log = logging.getLogger(__name__)

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(phone: str) -> str | None:
    """A mainland mobile number as 11 digits, or None: accepts spaces, dashes, +86 / 86 / 0086 prefixes."""
    digits = re.sub(r"[\s\-()（）]", "", phone or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if _MOBILE.match(digits) else None


def twilio_configured(settings: Settings) -> bool:
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_messaging_from)


def twilio_client(settings: Settings):
    from twilio.rest import Client

    client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    if settings.twilio_api_base_url:  # tests: a local fake of api.twilio.com
        client.api.base_url = settings.twilio_api_base_url.rstrip("/")
    return client


def _send_via_twilio(settings: Settings, to: str, body: str) -> str:
    client = twilio_client(settings)
    sender = settings.twilio_messaging_from
    kwargs = {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
    message = client.messages.create(to=to, body=body, **kwargs)
    return message.sid


def send_sms(session: Session, to: str, body: str, purpose: str, settings: Settings | None = None,
             deliver_now: bool = True) -> SmsMessage:
    """Records one SMS in the session (the caller commits) and, when Twilio is configured, sends it now.

    deliver_now=False leaves the sending to deliver(), to be called after the caller's transaction commits
    (bookings do this, so that no network call happens while a slot row is locked)."""
    settings = settings or get_settings()
    mobile = normalize_mobile(to)
    e164 = f"+86{mobile}" if mobile else to
    record = SmsMessage(to=e164, body=body, purpose=purpose, status="outbox")
    session.add(record)
    if deliver_now:
        deliver(record, settings)
    else:
        log.info("SMS queued to %s (%s)", mask_phone(e164), purpose)
    return record


def deliver(record: SmsMessage, settings: Settings | None = None) -> bool:
    """Sends a recorded SMS through Twilio if configured; True if the record changed (the caller commits)."""
    settings = settings or get_settings()
    if not twilio_configured(settings) or record.status != "outbox":
        log.info("SMS %s to %s (%s)", record.status, mask_phone(record.to), record.purpose)
        return False
    try:
        record.provider_sid = _send_via_twilio(settings, record.to, record.body)
        record.status = "sent"
    except Exception as exc:  # never let an SMS failure undo a booking
        record.status = "failed"
        record.error = f"{type(exc).__name__}: {exc}"[:300]
        log.warning("SMS to %s failed: %s", mask_phone(record.to), type(exc).__name__)
    log.info("SMS %s to %s (%s)", record.status, mask_phone(record.to), record.purpose)
    return True


def outbox_item(message: SmsMessage) -> dict:
    return {"id": message.id, "created_at": message.created_at.isoformat() + "Z", "to": mask_phone(message.to),
            "purpose": message.purpose, "status": message.status, "body": message.body,
            "provider_sid": message.provider_sid, "error": message.error}
