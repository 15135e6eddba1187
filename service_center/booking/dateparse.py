"""Natural Chinese day expressions ("明天上午", "下周三", "12月3号下午", "这周五", "后天") -> a date and a part
of the day. The date comes from JioNLP's time parser (jionlp.parse_time, maintained, rule based, offline),
relative to court time; the part of day from the words said, or from the hours JioNLP returns."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from functools import lru_cache

MORNING = re.compile(r"上午|早上|早晨|上半天|一早|早点")
AFTERNOON = re.compile(r"下午|下半天|午后|傍晚|晚点")
# Spoken digits that JioNLP may not read: 十二月三号, 三号, 礼拜三.
_WEEK_WORDS = {"礼拜天": "周日", "礼拜日": "周日", "星期天": "周日", "礼拜": "周"}


class DayNotUnderstood(ValueError):
    pass


@lru_cache
def _jio():
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp
    return jionlp


def part_of_day(text: str) -> str | None:
    if AFTERNOON.search(text):
        return "afternoon"
    if MORNING.search(text):
        return "morning"
    return None


def parse_day(text: str, now: dt.datetime) -> tuple[dt.date, str | None]:
    """The day and part ("morning"/"afternoon"/None) a person means; DayNotUnderstood if there is no day."""
    cleaned = re.sub(r"\s+", "", text or "")
    for word, replacement in _WEEK_WORDS.items():
        cleaned = cleaned.replace(word, replacement)
    part = part_of_day(cleaned)
    if not cleaned:
        raise DayNotUnderstood(text)
    base = now.replace(tzinfo=None).timestamp() if now.tzinfo is None else \
        dt.datetime(now.year, now.month, now.day, now.hour, now.minute).timestamp()
    try:
        result = _jio().parse_time(cleaned, time_base=base)
    except Exception as exc:  # JioNLP raises plain ValueError/Exception on text without a time
        raise DayNotUnderstood(text) from exc
    if result.get("type") != "time_point" or not result.get("time"):
        raise DayNotUnderstood(text)
    start = dt.datetime.fromisoformat(result["time"][0])
    end = dt.datetime.fromisoformat(result["time"][1])
    if end - start > dt.timedelta(days=1, seconds=1):  # "下周", "下个月": a span, not a day
        raise DayNotUnderstood(text)
    if part is None and end - start < dt.timedelta(hours=23):
        part = "morning" if start.hour < 12 else "afternoon"
    return _forward(cleaned, start.date(), now.date()), part


_BARE_WEEKDAY = re.compile(r"(?<![这本上下])(周|星期)[一二三四五六日天1-7]")
_BARE_DAY_OF_MONTH = re.compile(r"^[^月]*[0-9一二三四五六七八九十]+[号日]")


def _forward(text: str, day: dt.date, today: dt.date) -> dt.date:
    """A bare weekday or day of month said on the phone means the next one, not one that has passed:
    on a Friday "星期三" is next Wednesday, on the 27th "3号" is the 3rd of next month, and in December
    "1月5号" is next year's."""
    if day >= today or re.search(r"昨|前天|上周|上个|上礼拜|去年|上月", text):
        return day
    if _BARE_WEEKDAY.search(text):
        return day + dt.timedelta(days=7)
    if "月" in text and "年" not in text and (today - day).days > 180:
        # "1月5号" said in late December means next January, not the one eleven months ago
        with contextlib.suppress(ValueError):
            return day.replace(year=day.year + 1)
    if _BARE_DAY_OF_MONTH.search(text) and "月" not in text:
        month = day.month % 12 + 1
        year = day.year + (1 if month == 1 else 0)
        try:
            return day.replace(year=year, month=month)
        except ValueError:
            return day
    return day
