"""The booking calendar: working hours, slots, horizon and cut-off from the court profile (`booking`),
weekends, statutory holidays and 调休 make-up working days from the `chinesecalendar` package, plus the
court's own closures. Every time is Asia/Shanghai (zoneinfo; the tzdata package supplies the zone data).

Outside the years chinesecalendar has data for, the calendar fails closed: such days cannot be booked and
the message says why (update the package when the State Council publishes the next year's arrangement)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from service_center.court.profile import load_profile

WEEKDAYS = "一二三四五六日"
PARTS = {"morning": "上午", "afternoon": "下午"}
NOON = dt.time(12, 0)


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
    part = "上午" if start.time() < NOON else "下午"
    return f"{day_label(start.date())}{part}{start:%H:%M}"


def part_of(start: dt.datetime) -> str:
    return "morning" if start.time() < NOON else "afternoon"


def _hm(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


class BookingCalendar:
    def __init__(self, config: dict[str, Any]):
        self.config = config
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

    def closed_reason(self, day: dt.date) -> str | None:
        """None if the court works that day, else why not (in Chinese)."""
        if day in self.closures:
            return f"{day_label(day)}法院不对外办公"
        try:
            workday = chinese_calendar.is_workday(day)
            _, holiday = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return (f"{day.year}年的法定节假日安排还没有录入系统，暂时不能预约{day_label(day)}，"
                    "请稍后再约或拨打12368咨询")
        if workday:
            return None
        if holiday:
            return f"{day_label(day)}是法定节假日，法院不办公"
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


@lru_cache
def get_calendar() -> BookingCalendar:
    return BookingCalendar(load_profile()["booking"])
