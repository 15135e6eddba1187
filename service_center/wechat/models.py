"""One row per WeChat user of the mini-program (by the connector's user key) and one per accepted 订阅消息."""

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service_center.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class WeChatAccount(Base):
    """The openid is kept only because subscribeMessage.send needs it (touser); it is never returned by an API
    nor logged. The phone is set only from WeChat's own answer to phonenumber.getPhoneNumber."""

    __tablename__ = "wechat_accounts"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    openid: Mapped[str] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    phone_verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class WeChatSubscription(Base):
    """One accepted one-time subscription (一次性订阅消息): it allows exactly one message."""

    __tablename__ = "wechat_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_key: Mapped[str] = mapped_column(String(64), index=True)
    reference: Mapped[str] = mapped_column(String(12), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    # accepted: may be used once; sent: used; failed: WeChat refused it (error holds the errcode)
    status: Mapped[str] = mapped_column(String(20), default="accepted", index=True)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
