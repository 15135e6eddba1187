"""Who is speaking, as far as a channel can prove it: only identities a connector signed count.

The hotline connector vouches for the caller id (Twilio signs every request); the WeChat connector for its session
(and, when WeChat verified it, the phone); the socket.io connector for the browser session. The REST channel
vouches for nobody, so anything a REST client puts in `metadata` is ignored here (court_common/trust.py).
Only the latest message counts: the tracker store keeps earlier metadata masked (no phone numbers at rest).
"""

from __future__ import annotations

import hashlib
import re

from rasa_sdk import Tracker

from court_common.trust import verified_identity


def identity(tracker: Tracker) -> dict:
    return verified_identity((tracker.latest_message or {}).get("metadata"))


def _mobile(phone: object) -> str | None:
    digits = re.sub(r"\D", "", str(phone or ""))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None


def user_key(tracker: Tracker) -> str:
    """The connector's stable opaque user key; otherwise an opaque hash of this conversation's id."""
    key = identity(tracker).get("user_key")
    if isinstance(key, str) and key:
        return key[:128]
    channel = tracker.get_latest_input_channel() or "rest"
    return "conv-" + hashlib.sha256(f"{channel}:{tracker.sender_id}".encode()).hexdigest()[:32]


def trusted_user_key(tracker: Tracker) -> str | None:
    """A user key some channel proved (hotline caller, WeChat session, browser session), else None."""
    key = identity(tracker).get("user_key")
    return key[:128] if isinstance(key, str) and key else None


def caller_phone(tracker: Tracker) -> str | None:
    """The hotline caller's mobile number (signed by Twilio), or None."""
    return _mobile(identity(tracker).get("caller_phone"))


def verified_phone(tracker: Tracker) -> str | None:
    """A phone number already verified by the channel: the hotline caller id, or a WeChat-verified number."""
    found = identity(tracker)
    return _mobile(found.get("caller_phone")) or _mobile(found.get("verified_phone"))
