"""Request bodies of the booking API. Names and phone numbers travel only in bodies, never in URLs."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

ServiceCode = Literal["mediation", "filing", "cross_region_filing", "judicial_confirmation"]


class AppointmentCreate(BaseModel):
    service: ServiceCode
    start: dt.datetime = Field(description="slot start from GET /api/booking/slots (ISO 8601, +08:00)")
    name: str = Field(min_length=1, max_length=30)
    phone: str = Field(min_length=5, max_length=20)
    description: str | None = Field(default=None, max_length=200)
    user_key: str | None = Field(default=None, max_length=128)
    channel: str | None = Field(default=None, max_length=30)
    idempotency_key: str | None = Field(default=None, max_length=128,
                                        description="alternative to the Idempotency-Key header")


class Proof(BaseModel):
    """Who may see or change a booking: the last four digits of its phone, or the same user_key."""

    phone_last4: str | None = Field(default=None, pattern=r"^\d{4}$")
    user_key: str | None = Field(default=None, max_length=128)


class Lookup(Proof):
    reference: str | None = Field(default=None, max_length=12)


class Change(Proof):
    start: dt.datetime
    service: ServiceCode | None = None


class Cancel(Proof):
    reason: str | None = Field(default=None, max_length=200)


class StaffCancel(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class ParseDay(BaseModel):
    text: str = Field(min_length=1, max_length=100)
