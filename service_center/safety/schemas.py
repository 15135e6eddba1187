"""Request and response bodies of the safety-event API."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from court_common.safety import KINDS

Kind = Literal[KINDS]  # suicide | danger | medical | threat


class SafetyEventIn(BaseModel):
    channel: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")
    kind: Kind
    kinds: list[Kind] = Field(default_factory=list, max_length=4)
    urgent: bool = False
    rules: list[str] = Field(default_factory=list, max_length=40)
    conversation_ref: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                  description="不透明的会话引用（会话号的哈希），不是会话号本身")
    interrupted_form: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=500, description="仅“伤害他人的言语”保留原话，其余类别一律丢弃")


class SafetyEventCreated(BaseModel):
    id: int
    created: bool = Field(description="false: 同一会话同一类别在十分钟内已有记录，未重复提醒")


class SafetyEventOut(BaseModel):
    id: int
    created_at: dt.datetime
    channel: str
    kind: str
    kind_name: str
    kinds: list[str]
    urgent: bool
    rules: list[str]
    conversation_ref: str
    interrupted_form: str | None
    text: str | None
    status: str
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    note: str | None


class SafetyEventUpdate(BaseModel):
    status: Literal["acknowledged"]
    note: str | None = Field(default=None, max_length=500)


class SafetyCounts(BaseModel):
    since: dt.datetime
    total: int
    by_kind: dict[str, int]
    by_channel: dict[str, int]
    open: int
