"""A year's holiday arrangement as the administrator enters it (staff API body or data file), its validation,
and the day-by-day view the calendar uses.

Spans are written as the State Council's notice writes them: {"name": "春节", "from": "2027-..", "to": "2027-.."}
("to" may be left out for one day; "day" is accepted for "from" alone)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service_center.booking.holidays.statutory import FIRST_YEAR, statutory_holidays

WEEKDAYS = "一二三四五六日"
MAX_SPAN_DAYS = 15


def _label(day: dt.date) -> str:
    return f"{day.isoformat()}（周{WEEKDAYS[day.weekday()]}）"


class Span(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    name: str = Field(min_length=1, max_length=40, description="e.g. 春节; for a workday, the holiday it makes up")
    start: dt.date = Field(alias="from", description="first day (or the only day)")
    end: dt.date | None = Field(default=None, alias="to", description="last day, inclusive; omit for one day")

    @model_validator(mode="before")
    @classmethod
    def _day_alias(cls, data):
        if isinstance(data, dict) and "day" in data and "from" not in data and "start" not in data:
            data = {**data, "from": data["day"]}
            data.pop("day")
        return data

    def days(self) -> list[dt.date]:
        end = self.end or self.start
        return [self.start + dt.timedelta(days=i) for i in range((end - self.start).days + 1)]

    def as_json(self) -> dict:
        return {"name": self.name, "from": self.start.isoformat(), "to": (self.end or self.start).isoformat()}


class ArrangementIn(BaseModel):
    """What the administrator enters for one year (the staff API body; a data file adds `year`)."""

    model_config = ConfigDict(extra="forbid")

    source_title: str = Field(min_length=4, max_length=200,
                              description="the notice's title, e.g. 国务院办公厅关于20XX年部分节假日安排的通知")
    source_date: dt.date = Field(description="the date the notice was published")
    holidays: list[Span] = Field(min_length=1, description="放假: every day off, weekends inside a break included")
    workdays: list[Span] = Field(default_factory=list, description="调休上班: weekend days that are working days")
    note: str | None = Field(default=None, max_length=500)


class ArrangementFile(ArrangementIn):
    """A data file (knowledge_base/holidays/<year>.yml): the same fields plus the year; `example: true` marks a
    file that only shows the format and is refused by `load`."""

    year: int
    example: bool = False


def problems(year: int, arrangement: ArrangementIn, today: dt.date) -> list[str]:
    """Every rule the arrangement breaks, in Chinese, one line each (empty: it may be saved)."""
    found: list[str] = []
    if not FIRST_YEAR <= year <= 2100:
        found.append(f"年份{year}不在可录入的范围（{FIRST_YEAR}–2100）")
    if arrangement.source_date > today:
        found.append(f"通知发布日期{arrangement.source_date}晚于今天，请核对")
    kinds: dict[dt.date, str] = {}
    for kind, spans in (("放假", arrangement.holidays), ("调休上班", arrangement.workdays)):
        for span in spans:
            where = f"{kind}“{span.name}”"
            if span.end is not None and span.end < span.start:
                found.append(f"{where}的结束日期{span.end}早于开始日期{span.start}")
                continue
            if len(span.days()) > MAX_SPAN_DAYS:
                found.append(f"{where}共{len(span.days())}天，超过{MAX_SPAN_DAYS}天，请核对日期")
                continue
            for day in span.days():
                if day.year != year:
                    found.append(f"{where}的日期{day}不在{year}年内")
                elif kinds.get(day, kind) != kind:
                    found.append(f"{_label(day)}既是放假日又是调休上班日")
                elif kind == "调休上班" and day.weekday() < 5:
                    found.append(f"调休上班日{_label(day)}不是周六或周日（平日本来就上班，不用录入）")
                elif kind == "调休上班" and day in kinds:
                    found.append(f"调休上班日{_label(day)}重复录入")
                kinds[day] = kind
    return found


def warnings(year: int, arrangement: ArrangementIn) -> list[str]:
    """Things worth a second look that may still be right: statutory days missing from the holidays."""
    if year < FIRST_YEAR:
        return []
    listed = {day for span in arrangement.holidays for day in span.days()}
    return [f"按《全国年节及纪念日放假办法》{_label(day)}（{name}）应当放假，但安排中没有，请核对"
            for day, name in statutory_holidays(year).items() if day not in listed]


@dataclass(frozen=True)
class OfficialYear:
    """An arrangement as the calendar reads it: day -> name for holidays and for 调休 working days."""

    year: int
    source_title: str
    source_date: dt.date
    entered_by: str
    entered_at: dt.datetime | None
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)

    @classmethod
    def build(cls, year: int, arrangement: ArrangementIn, entered_by: str,
              entered_at: dt.datetime | None = None) -> OfficialYear:
        def days(spans: list[Span]) -> dict[dt.date, str]:
            named: dict[dt.date, str] = {}
            for span in spans:
                for day in span.days():
                    named[day] = f"{named[day]}、{span.name}" if day in named else span.name
            return named

        return cls(year, arrangement.source_title, arrangement.source_date, entered_by, entered_at,
                   days(arrangement.holidays), days(arrangement.workdays))
