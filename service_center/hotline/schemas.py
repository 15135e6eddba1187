"""Request and response bodies of the hotline callback API."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Reason = Literal["no_human_available", "no_answer", "caller_request", "system_error"]


class CallbackRequest(BaseModel):
    phone: str = Field(pattern=r"^\+?[0-9]{5,20}$", description="来电号码（E.164 或纯数字）")
    user_key: str | None = Field(default=None, max_length=64)
    call_sid: str | None = Field(default=None, min_length=1, max_length=64,
                                 description="Twilio CallSid，重复提交按此去重")
    reason: Reason = "no_human_available"


class CallbackCreated(BaseModel):
    id: int
    status: str
    created: bool = Field(description="false: 同一号码已有待回电的登记，未重复登记")


class CallbackOut(BaseModel):
    id: int
    created_at: datetime
    phone: str
    phone_masked: str
    user_key: str | None
    reason: str
    status: str
    note: str | None
    handled_at: datetime | None


class CallbackUpdate(BaseModel):
    status: Literal["done", "cancelled"]
    note: str | None = Field(default=None, max_length=500)
