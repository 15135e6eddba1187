"""What the staff API and the command line both do: enter or withdraw a year's arrangement (validate, save with
its audit, then reconcile the bookings it affects), and say which years still lack an official arrangement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service_center.booking import service as booking
from service_center.booking.calendar import COURT, PROVISIONAL_NOTE, STATUTORY, court_now, day_label, get_calendar
from service_center.booking.holidays import affected, store
from service_center.booking.holidays.arrangement import ArrangementIn, problems, warnings
from service_center.booking.models import Appointment


class InvalidArrangement(ValueError):
    def __init__(self, found: list[str]):
        super().__init__("；".join(found))
        self.problems = found


@dataclass
class Entered:
    arrangement: dict | None
    warnings: list[str]
    reconciled: affected.Reconciled


def enter(session: Session, year: int, arrangement: ArrangementIn, actor: str, via: str,
          now: dt.datetime | None = None) -> Entered:
    now = now or court_now()
    found = problems(year, arrangement, now.date())
    if found:
        raise InvalidArrangement(found)
    row = store.save(session, year, arrangement, actor, via)
    saved = store.view(row)
    return Entered(saved, warnings(year, arrangement), affected.reconcile(session, actor, now))


def withdraw(session: Session, year: int, actor: str, via: str, now: dt.datetime | None = None) -> Entered | None:
    if not store.remove(session, year, actor, via):
        return None
    return Entered(None, [], affected.reconcile(session, actor, now or court_now()))


def affected_view(appointment: Appointment) -> dict:
    return booking.appointment_view(appointment, staff=True)


def coverage(now: dt.datetime | None = None) -> dict:
    """For /health and staff: each year from today to the end of the booking horizon (and next year, to
    prompt each autumn's entry) with where its holidays come from; `missing` lists the years within the horizon
    that have no official arrangement, whose days are offered as provisional."""
    calendar = get_calendar()
    now = now or court_now()
    missing = calendar.years_without_official(now)
    years = []
    for year in range(calendar.local(now).year, calendar.last_day(now).year + 2):
        source = calendar.day_kind(dt.date(year, 1, 1)).source
        arrangement = calendar.official(year) if source == COURT else None
        years.append({"year": year, "source": source, "official": source != STATUTORY,
                      "source_title": arrangement.source_title if arrangement else None,
                      "entered_by": arrangement.entered_by if arrangement else None})
    warning = None
    if missing:
        listed = "、".join(f"{y}年" for y in missing)
        warning = (f"{listed}的节假日安排尚未录入，预约期限内这些日期按法定节假日推算（临时），"
                   f"{PROVISIONAL_NOTE}。国务院公告发布后请及时录入（docs/booking.md）")
    return {"today": calendar.local(now).date().isoformat(), "horizon_end": calendar.last_day(now).isoformat(),
            "missing": missing, "warning": warning, "years": years}


def day_views(start: dt.date, end: dt.date) -> list[dict]:
    calendar = get_calendar()
    days = []
    day = start
    while day <= end:
        kind = calendar.day_kind(day)
        days.append({"date": day.isoformat(), "label": day_label(day), "open": calendar.closed_reason(day) is None,
                     "holiday": kind.holiday, "source": kind.source, "provisional": kind.provisional})
        day += dt.timedelta(days=1)
    return days
