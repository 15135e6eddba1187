"""The booking calendar: working hours, slots, horizon and cut-off from the court profile (`booking`), plus the
court's own closures. Every time is Asia/Shanghai (zoneinfo; the tzdata package supplies the zone data).

Which days are holidays and which weekend days are 调休 working days, for each year from the first source that
has it (see `day_kind`):
1. the court's own arrangement, entered by an administrator from the State Council's notice (holidays/store.py);
2. the `chinesecalendar` package (official data, for the years its release covers);
3. otherwise weekends plus the statutory holidays computed from the calendar (holidays/statutory.py): such days
   are *provisional*, never refused, and marked so to the litigant and staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from service_center.booking.holidays.arrangement import OfficialYear
from service_center.booking.holidays.statutory import statutory_holidays
from service_center.config import get_settings
from service_center.court.profile import load_profile

WEEKDAYS = "一二三四五六日"
PARTS = {"morning": "上午", "afternoon": "下午"}
NOON = dt.time(12, 0)
PROVISIONAL_NOTE = "节假日安排以国务院公告和法院通知为准"
# Where a day's holiday status came from; only STATUTORY is provisional.
COURT, LIBRARY, STATUTORY = "court", "library", "statutory"


class BookingRuleError(ValueError):
    """A request breaks a calendar rule; the message is Chinese and safe to show."""


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    duration_minutes: int
    capacity: int


def day_label(day: dt.date) -> str:
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


def slot_label(start: dt.datetime) -> str:
    """'12月2日（周三）08:30': a 24-hour time and no 上午/下午, which the hotline's voice shaping adds itself."""
    return f"{day_label(start.date())}{start:%H:%M}"


def part_of(start: dt.datetime) -> str:
    return "morning" if start.time() < NOON else "afternoon"


@dataclass(frozen=True)
class DayKind:
    workday: bool
    holiday: str | None  # the holiday's name when the day is one
    source: str  # COURT, LIBRARY or STATUTORY

    @property
    def provisional(self) -> bool:
        return self.source == STATUTORY


def provisional_note(year: int) -> str:
    """What a litigant is told about a time in a year whose official arrangement is not in yet (one sentence, so
    that the hotline's shortening keeps or drops it whole)."""
    return f"{year}年的节假日安排尚未公布，这个时间是按法定节假日推算的，{PROVISIONAL_NOTE}，如有调整会短信通知您改约"


@lru_cache(maxsize=4096)  # the installed release's data never changes while the process runs
def _library_kind(day: dt.date) -> DayKind | None:
    try:
        workday = chinese_calendar.is_workday(day)
        _, holiday = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the installed release has no data for
        return None
    if holiday is not None:
        holiday = chinese_calendar.Holiday(holiday).chinese
    return DayKind(workday, None if workday else holiday, LIBRARY)


def _hm(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


class BookingCalendar:
    def __init__(self, config: dict[str, Any], official: Callable[[int], OfficialYear | None] | None = None):
        """`official(year)` gives the court's arrangement for a year, or None (get_calendar reads the database)."""
        self.config = config
        self.official = official or (lambda _year: None)
        self.tz = ZoneInfo(config.get("timezone", "Asia/Shanghai"))
        self.periods = [(_hm(p["start"]), _hm(p["end"])) for p in config["working_hours"]]
        self.horizon_days = int(config["horizon_days"])
        self.cutoff = _hm(config["same_day_cutoff"])
        self.closures = {dt.date.fromisoformat(str(d)) for d in config.get("closures") or []}
        self.confirmed = bool(config.get("confirmed", False))
        self.services = {
            code: Service(code, s["name"], int(s["duration_minutes"]), int(s["capacity_per_slot"]))
            for code, s in config["services"].items()
        }

    # -- time --
    def now(self) -> dt.datetime:
        return dt.datetime.now(self.tz)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """Any aware datetime in court time; a naive one is taken as court time."""
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment.astimezone(self.tz)

    def last_day(self, now: dt.datetime) -> dt.date:
        return self.local(now).date() + dt.timedelta(days=self.horizon_days)

    # -- days --
    def service(self, code: str) -> Service:
        try:
            return self.services[code]
        except KeyError:
            names = "、".join(s.name for s in self.services.values())
            raise BookingRuleError(f"没有这项预约服务，可以预约：{names}") from None

    def day_kind(self, day: dt.date) -> DayKind:
        """Working day or not, and from which source: the court's arrangement, the library, or computed."""
        arrangement = self.official(day.year)
        if arrangement is not None:
            if day in arrangement.holidays:
                return DayKind(False, arrangement.holidays[day], COURT)
            return DayKind(day in arrangement.workdays or day.weekday() < 5, None, COURT)
        library = _library_kind(day)
        if library is not None:
            return library
        holiday = statutory_holidays(day.year).get(day)
        return DayKind(holiday is None and day.weekday() < 5, holiday, STATUTORY)

    def provisional(self, day: dt.date) -> bool:
        return self.day_kind(day).provisional

    def closed_reason(self, day: dt.date) -> str | None:
        """None if the court works that day, else why not (in Chinese)."""
        if day in self.closures:
            return f"{day_label(day)}法院不对外办公"
        kind = self.day_kind(day)
        if kind.workday:
            return None
        if kind.holiday:
            return f"{day_label(day)}是法定节假日（{kind.holiday}），法院不办公"
        return f"{day_label(day)}是周末，法院不办公"

    def check_day(self, day: dt.date, now: dt.datetime) -> None:
        """Raises BookingRuleError if nothing can be booked on `day` (past, beyond the horizon, closed)."""
        today = self.local(now).date()
        if day < today:
            raise BookingRuleError(f"{day_label(day)}已经过去了，请选择今天以后的日期")
        last = self.last_day(now)
        if day > last:
            raise BookingRuleError(f"只能预约{self.horizon_days}天以内的时间（最晚到{day_label(last)}），请换一天")
        reason = self.closed_reason(day)
        if reason:
            raise BookingRuleError(reason)
        if day == today and self.local(now).time() >= self.cutoff:
            raise BookingRuleError(f"今天{self.cutoff:%H:%M}以后不再接受当天预约，请选择明天以后的日期")

    # -- slots --
    def slot_starts(self, code: str, day: dt.date) -> list[dt.datetime]:
        """Every slot start of a service on a day, ignoring whether the day is open (see check_day)."""
        service = self.service(code)
        step = dt.timedelta(minutes=service.duration_minutes)
        starts = []
        for begin, end in self.periods:
            cursor = dt.datetime.combine(day, begin, tzinfo=self.tz)
            stop = dt.datetime.combine(day, end, tzinfo=self.tz)
            while cursor + step <= stop:
                starts.append(cursor)
                cursor += step
        return starts

    def open_slots(self, code: str, day: dt.date, now: dt.datetime) -> list[dt.datetime]:
        """Slot starts that may be booked on a day (empty when the day is closed, past or too far)."""
        try:
            self.check_day(day, now)
        except BookingRuleError:
            return []
        return [s for s in self.slot_starts(code, day) if s > self.local(now)]

    def check_slot(self, code: str, start: dt.datetime, now: dt.datetime) -> dt.datetime:
        """The slot start in court time if it may be booked; BookingRuleError otherwise."""
        start = self.local(start)
        if start <= self.local(now):
            raise BookingRuleError("不能预约已经过去的时间，请选择以后的时间")
        self.check_day(start.date(), now)
        if start not in self.slot_starts(code, start.date()):
            hours = "、".join(f"{b:%H:%M}-{e:%H:%M}" for b, e in self.periods)
            raise BookingRuleError(f"{slot_label(start)}不是可预约的时段，办公时间为{hours}")
        return start

    def bookable_days(self, now: dt.datetime, start: dt.date | None = None) -> list[dt.date]:
        today = self.local(now).date()
        day = max(start or today, today)
        days = []
        while day <= self.last_day(now):
            if self.closed_reason(day) is None:
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def years_without_official(self, now: dt.datetime) -> list[int]:
        """Years from today to the end of the horizon that neither the court nor the library covers."""
        today = self.local(now).date()
        return [year for year in range(today.year, self.last_day(now).year + 1)
                if self.official(year) is None and _library_kind(dt.date(year, 1, 1)) is None]


@lru_cache
def get_calendar() -> BookingCalendar:
    from service_center.booking.holidays import store  # imported here: the store imports the booking service

    return BookingCalendar(load_profile()["booking"], official=store.official)


def court_now() -> dt.datetime:
    """Now in court time; BOOKING_NOW pins it (tests and demos)."""
    calendar = get_calendar()
    pinned = get_settings().booking_now
    return calendar.local(dt.datetime.fromisoformat(pinned)) if pinned else calendar.now()
