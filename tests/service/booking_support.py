"""Helpers shared by the booking tests: a client with a fixed court time, and a booking payload."""

import uuid

NOW = "2026-12-01T09:00:00"  # a Tuesday; the horizon (14 days) ends on Tuesday 15 December


def payload(start: str, service: str = "mediation", phone: str = "13812345678", **extra) -> dict:
    return {"service": service, "start": start, "name": "张三", "phone": phone,
            "description": "邻里纠纷", "channel": "rest", **extra}


def book(client, start: str, key: str | None = None, **extra):
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return client.post("/api/booking/appointments", json=payload(start, **extra), headers=headers)
