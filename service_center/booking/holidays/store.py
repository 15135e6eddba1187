"""The court's arrangements in the database, and the in-process copy the calendar reads.

The calendar asks for a year's arrangement many times per slot search, so each process keeps all
arrangements in memory (a handful of small rows) and reloads them when they are older than
HOLIDAY_CACHE_SECONDS, or at once after it saved one itself. Another replica sees a new arrangement within that
time; `python -m service_center.booking.holidays load` in another process likewise."""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from service_center.booking.holidays.arrangement import ArrangementIn, OfficialYear, Span
from service_center.booking.holidays.models import HolidayArrangement, HolidayAudit
from service_center.booking.models import utcnow
from service_center.booking.service import write_transaction
from service_center.config import get_settings

log = logging.getLogger(__name__)


def as_input(row: HolidayArrangement) -> ArrangementIn:
    return ArrangementIn(source_title=row.source_title, source_date=row.source_date,
                         holidays=[Span.model_validate(s) for s in row.holidays],
                         workdays=[Span.model_validate(s) for s in row.workdays], note=row.note)


def official_year(row: HolidayArrangement) -> OfficialYear:
    return OfficialYear.build(row.year, as_input(row), row.entered_by, row.entered_at)


def view(row: HolidayArrangement) -> dict:
    return {"year": row.year, "source_title": row.source_title, "source_date": row.source_date.isoformat(),
            "holidays": row.holidays, "workdays": row.workdays, "note": row.note, "entered_by": row.entered_by,
            "entered_at": row.entered_at.isoformat() + "Z"}


@lru_cache(maxsize=4)
def _reader(url: str) -> Engine:
    """Its own connection for each reload, outside the request pool: a reload can happen while every pooled
    connection is held by bookings waiting on each other (50 concurrent bookings in the tests)."""
    return create_engine(url, poolclass=NullPool)


class ArrangementCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._years: dict[int, OfficialYear] = {}
        self._loaded_at = float("-inf")
        self._url: str | None = None

    def refresh(self) -> None:
        """Re-read now (after this process saved an arrangement), waiting for a reload already under way."""
        with self._lock:
            self._reload(get_settings().database_url)

    def get(self, year: int) -> OfficialYear | None:
        settings = get_settings()
        url = settings.database_url
        # One thread reloads; while it does, others go on with the copy they have (they wait only when there is
        # none yet for this database).
        if self._stale(url, settings.holiday_cache_seconds) and self._lock.acquire(blocking=self._url != url):
            try:
                if self._stale(url, settings.holiday_cache_seconds):
                    self._reload(url)
            finally:
                self._lock.release()
        return self._years.get(year) if self._url == url else None

    def _stale(self, url: str, seconds: float) -> bool:
        return self._url != url or time.monotonic() - self._loaded_at > seconds

    def _reload(self, url: str) -> None:
        try:
            with Session(_reader(url)) as session:
                rows = session.execute(select(HolidayArrangement)).scalars().all()
                years = {row.year: official_year(row) for row in rows}
        except Exception as exc:  # the calendar still answers from the library or the statutory computation
            log.warning("holiday arrangements could not be read (%s); using the last ones known", type(exc).__name__)
            years = self._years if self._url == url else {}
        self._years, self._url, self._loaded_at = years, url, time.monotonic()


CACHE = ArrangementCache()


def official(year: int) -> OfficialYear | None:
    """The court's arrangement for `year`, or None: the calendar's default source."""
    return CACHE.get(year)


def audit(session: Session, actor: str, action: str, year: int, **details) -> None:
    session.add(HolidayAudit(actor=actor[:60], action=action, year=year, details=details or None))


def save(session: Session, year: int, arrangement: ArrangementIn, actor: str, via: str) -> HolidayArrangement:
    """Enters or replaces a year's arrangement (validate first with arrangement.problems); audited with the
    previous content."""
    content = {"source_title": arrangement.source_title, "source_date": arrangement.source_date.isoformat(),
               "holidays": [s.as_json() for s in arrangement.holidays],
               "workdays": [s.as_json() for s in arrangement.workdays], "note": arrangement.note}
    with write_transaction(session):
        row = session.get(HolidayArrangement, year)
        previous = view(row) if row is not None else None
        if row is None:
            row = HolidayArrangement(year=year)
            session.add(row)
        row.source_title, row.source_date = arrangement.source_title, arrangement.source_date
        row.holidays, row.workdays, row.note = content["holidays"], content["workdays"], arrangement.note
        row.entered_by, row.entered_at = actor[:60], utcnow()
        audit(session, actor, "replace" if previous else "enter", year, via=via, content=content, previous=previous)
    CACHE.refresh()
    return row


def remove(session: Session, year: int, actor: str, via: str) -> bool:
    with write_transaction(session):
        row = session.get(HolidayArrangement, year)
        if row is None:
            return False
        audit(session, actor, "remove", year, via=via, previous=view(row))
        session.delete(row)
    CACHE.refresh()
    return True


def history(session: Session, year: int) -> list[dict]:
    rows = session.execute(select(HolidayAudit).where(HolidayAudit.year == year).order_by(HolidayAudit.id)).scalars()
    return [{"at": r.at.isoformat() + "Z", "actor": r.actor, "action": r.action,
             "via": (r.details or {}).get("via")} for r in rows]


def entered(session: Session) -> list[HolidayArrangement]:
    return list(session.execute(select(HolidayArrangement).order_by(HolidayArrangement.year)).scalars())
