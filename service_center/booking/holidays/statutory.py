"""The statutory public holidays of any year, computed from the calendar: no table to update.

The day counts are those of 《全国年节及纪念日放假办法》 as amended by 国务院令第795号 (published 2024-11-10,
in force 2025-01-01), article 2 — holidays for all citizens:
    元旦 1 day (1 January); 春节 4 days (农历除夕 and 正月初一 to 初三); 清明节 1 day (the day of 清明);
    劳动节 2 days (1 and 2 May); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五);
    国庆节 3 days (1 to 3 October).
tests/service/test_booking_holidays.py checks these days against chinesecalendar's official 2025 and 2026 data.
What cannot be computed is the State Council's yearly arrangement around them (the 调休 bridges, make-up working
days and 补假 for a holiday on a weekend): that comes from the notice each autumn, so days computed here are
only provisional. Lunar dates and the solar term 清明 come from `lunar_python`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from lunar_python import Lunar, Solar

# Only computed for the years the 2024 amendment applies to; earlier years are in chinesecalendar's data.
FIRST_YEAR = 2025


def _solar(lunar: Lunar) -> dt.date:
    solar = lunar.getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar_day(year: int, month: int, day: int) -> dt.date:
    """A day of the (non-leap) lunar month in the lunar year that starts in the Gregorian `year`."""
    return _solar(Lunar.fromYmd(year, month, day))


def _qingming(year: int) -> dt.date:
    # The lunar year containing June of `year` holds that year's 清明 (early April) in its solar-term table.
    term = Solar.fromYmd(year, 6, 1).getLunar().getJieQiTable()["清明"]
    return dt.date(term.getYear(), term.getMonth(), term.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """{day: name} for the statutory holidays of `year`; two falling on one day (中秋 on 1 October) share it."""
    spring = _lunar_day(year, 1, 1)
    spans = [
        ("元旦", [dt.date(year, 1, 1)]),
        ("春节", [spring + dt.timedelta(days=offset) for offset in range(-1, 3)]),  # 除夕 is the day before 初一
        ("清明节", [_qingming(year)]),
        ("劳动节", [dt.date(year, 5, 1), dt.date(year, 5, 2)]),
        ("端午节", [_lunar_day(year, 5, 5)]),
        ("中秋节", [_lunar_day(year, 8, 15)]),
        ("国庆节", [dt.date(year, 10, day) for day in (1, 2, 3)]),
    ]
    days: dict[dt.date, str] = {}
    for name, span in spans:
        for day in span:
            days[day] = f"{days[day]}、{name}" if day in days else name
    return dict(sorted(days.items()))
