"""Request bodies of the booking API. Names and phone numbers travel only in bodies, never in URLs."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

ServiceCode = Literal["mediation", "filing", "cross_region_filing", "judicial_confirmation"]


class AppointmentCreate(BaseModel):
    service: ServiceCode
    start: dt.datetime = Field(description="slot start from GET /api/booking/slots (ISO 8601, +08:00)")
    name: str | None = Field(default=None, min_length=1, max_length=30,
                             description="optional when given to POST /api/verification/phone/{id}/name")
    phone: str | None = Field(default=None, min_length=5, max_length=20,
                              description="optional: the verified number is used; if given it must be the same")
    phone_verification: str = Field(min_length=1, max_length=40,
                                    description="verification_id of a confirmed POST /api/verification/phone")
    description: str | None = Field(default=None, max_length=200)
    user_key: str | None = Field(default=None, max_length=128, description="internal callers only")
    channel: str | None = Field(default=None, max_length=30)
    risk_report_id: str | None = Field(default=None, max_length=40,
                                       description="internal callers only: the self-test this booking followed")
    idempotency_key: str | None = Field(default=None, max_length=128,
                                        description="alternative to the Idempotency-Key header")


class Proof(BaseModel):
    """Who may see or change a booking: the last four digits of its phone, or (internal callers only, for a
    channel's proven identity) the same user_key."""

    phone_last4: str | None = Field(default=None, pattern=r"^[0-9]{4}$")  # ASCII digits: \d takes ４ and ٤ too
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
