"""Per-client, per-phone and per-identity limits, counted in the database (so they hold across replicas)."""

from __future__ import annotations

import datetime as dt
import hashlib

from fastapi import HTTPException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service_center.security.models import RateEvent, utcnow


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def count(session: Session, kind: str, key: str, window: dt.timedelta) -> int:
    return session.execute(select(func.count(RateEvent.id)).where(
        RateEvent.kind == kind, RateEvent.key_hash == key_hash(key), RateEvent.at >= utcnow() - window)).scalar_one()


def record(session: Session, kind: str, key: str) -> None:
    """Adds one event to the session (the caller commits)."""
    session.add(RateEvent(kind=kind, key_hash=key_hash(key)))


def check(session: Session, kind: str, key: str, limit: int, window: dt.timedelta, message: str) -> None:
    """429 with a Chinese message when `key` already had `limit` events of `kind` within `window`."""
    if count(session, kind, key, window) >= limit:
        seconds = int(window.total_seconds())
        raise HTTPException(status_code=429, detail=message, headers={"Retry-After": str(seconds)})


def hit(session: Session, kind: str, key: str, limit: int, window: dt.timedelta, message: str) -> None:
    """check, then record and commit at once: the event counts even if what follows fails."""
    check(session, kind, key, limit, window, message)
    record(session, kind, key)
    session.commit()
