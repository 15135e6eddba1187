"""Helpers shared by the booking tests: a client with a fixed court time, and a booking payload."""

import uuid

from tests.service.conftest import INTERNAL_SECRET

NOW = "2026-12-01T09:00:00"  # a Tuesday; the horizon (14 days) ends on Tuesday 15 December
INTERNAL = {"X-Internal-Token": INTERNAL_SECRET}


def verify(client, phone: str = "13812345678"):
    """Registers `phone` as verified, as an action does with the hotline's (Twilio-signed) caller id."""
    return client.post("/api/verification/phone", json={"phone": phone, "method": "caller_id"}, headers=INTERNAL)


def verified(client, phone: str = "13812345678") -> str:
    response = verify(client, phone)
    assert response.status_code == 201, response.text
    return response.json()["verification_id"]


def payload(start: str, service: str = "mediation", phone: str = "13812345678", **extra) -> dict:
    return {"service": service, "start": start, "name": "张三", "phone": phone,
            "description": "邻里纠纷", "channel": "rest", **extra}


def book(client, start: str, key: str | None = None, headers: dict | None = None, **extra):
    """Books as the action server does (internal, per-user limits) with a verified phone; a phone that cannot be
    verified gets the verification's own answer."""
    body = payload(start, **extra)
    if "phone_verification" not in body:
        verification = verify(client, body["phone"])
        if verification.status_code != 201:
            return verification
        body["phone_verification"] = verification.json()["verification_id"]
    headers = {"Idempotency-Key": key or uuid.uuid4().hex, **(INTERNAL if headers is None else headers)}
    return client.post("/api/booking/appointments", json=body, headers=headers)
