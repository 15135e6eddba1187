"""send_sms: the one way any part of the service center sends a text message.

With TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_MESSAGING_FROM set, the message goes out through the
official `twilio` library (Messages API) and is logged as sent (or failed, with Twilio's error). Without them
it waits in the outbox table, which staff read at GET /api/staff/outbox. Either way there is one row per message.
"""

import logging
import queue
import re
import threading

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
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    # A timeout, so a slow Twilio cannot hold a sender forever (the library's default waits without limit).
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                    http_client=TwilioHttpClient(timeout=settings.twilio_timeout))
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


# ---------- delivery off the request threads ----------
_pending: queue.Queue[int] = queue.Queue(maxsize=10_000)
_worker_lock = threading.Lock()
_worker: threading.Thread | None = None


def _work() -> None:
    from service_center.db import get_sessionmaker

    while True:
        message_id = _pending.get()
        try:
            with get_sessionmaker()() as session:
                record = session.get(SmsMessage, message_id)
                if record is not None and deliver(record):
                    session.commit()
        except Exception:  # one failed message must not stop the sender
            log.exception("could not deliver SMS %s", message_id)
        finally:
            _pending.task_done()


def deliver_later(*records: SmsMessage, settings: Settings | None = None) -> None:
    """Committed messages go to Twilio from one background sender thread, so no request waits on Twilio.
    Without Twilio configured they stay in the outbox and nothing is queued."""
    global _worker
    settings = settings or get_settings()
    if not twilio_configured(settings):
        for record in records:
            log.info("SMS %s to %s (%s)", record.status, mask_phone(record.to), record.purpose)
        return
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="sms-sender", daemon=True)
            _worker.start()
    for record in records:
        try:
            _pending.put_nowait(record.id)
        except queue.Full:  # stays in the outbox, where staff see it
            log.warning("SMS queue full; message %s stays in the outbox", record.id)


def drain() -> None:
    """Waits until every queued message was handed to Twilio (command-line jobs call this before exiting)."""
    _pending.join()
