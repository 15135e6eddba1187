"""The booking calendar: hours, slots, horizon, cut-off, weekends, statutory holidays and 调休 make-up days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from service_center.booking.calendar import BookingCalendar, BookingRuleError
from service_center.booking.dateparse import DayNotUnderstood, parse_day
from service_center.court.profile import load_profile

TZ = ZoneInfo("Asia/Shanghai")


def court_time(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def calendar() -> BookingCalendar:
    return BookingCalendar(load_profile()["booking"])


def test_slots_follow_working_hours_and_service_duration(calendar):
    day = dt.date(2026, 12, 2)
    mediation = [f"{s:%H:%M}" for s in calendar.slot_starts("mediation", day)]
    assert mediation == ["08:30", "09:30", "10:30", "13:30", "14:30", "15:30"]
    filing = calendar.slot_starts("filing", day)
    assert f"{filing[0]:%H:%M}" == "08:30" and f"{filing[-1]:%H:%M}" == "16:00" and len(filing) == 12
    assert all(s.tzinfo == TZ for s in filing)


def test_national_day_is_closed_and_the_make_up_saturday_is_open(calendar):
    now = court_time(2026, 9, 29, 9, 0)
    with pytest.raises(BookingRuleError, match="法定节假日"):
        calendar.check_day(dt.date(2026, 10, 1), now)
    calendar.check_day(dt.date(2026, 10, 10), now)  # Saturday, a 调休 working day
    with pytest.raises(BookingRuleError, match="周末"):
        calendar.check_day(dt.date(2026, 10, 11), now)
    days = calendar.bookable_days(now)
    assert dt.date(2026, 10, 10) in days and dt.date(2026, 10, 3) not in days


def test_mid_autumn_friday_is_a_holiday(calendar):
    assert "法定节假日" in calendar.closed_reason(dt.date(2026, 9, 25))


def test_past_horizon_and_cutoff(calendar):
    now = court_time(2026, 12, 1, 9, 0)
    with pytest.raises(BookingRuleError, match="已经过去"):
        calendar.check_day(dt.date(2026, 11, 30), now)
    with pytest.raises(BookingRuleError, match="14天以内"):
        calendar.check_day(dt.date(2026, 12, 16), now)
    calendar.check_day(dt.date(2026, 12, 15), now)
    with pytest.raises(BookingRuleError, match="当天预约"):
        calendar.check_day(dt.date(2026, 12, 1), court_time(2026, 12, 1, 15, 5))
    # earlier today: only slots still ahead
    assert f"{calendar.open_slots('mediation', dt.date(2026, 12, 1), now)[0]:%H:%M}" == "09:30"


def test_outside_hours_and_past_times_are_refused(calendar):
    now = court_time(2026, 12, 1, 9, 0)
    with pytest.raises(BookingRuleError, match="办公时间"):
        calendar.check_slot("mediation", court_time(2026, 12, 2, 12, 0), now)
    with pytest.raises(BookingRuleError, match="办公时间"):
        calendar.check_slot("mediation", court_time(2026, 12, 2, 9, 0), now)  # mediation slots start at :30
    with pytest.raises(BookingRuleError, match="已经过去"):
        calendar.check_slot("mediation", court_time(2026, 12, 1, 8, 30), now)


def test_court_closures(calendar):
    config = {**load_profile()["booking"], "closures": ["2026-12-03"]}
    closed = BookingCalendar(config)
    assert "不对外办公" in closed.closed_reason(dt.date(2026, 12, 3))


def test_years_without_holiday_data_are_open_but_provisional(calendar):
    """2031 is in neither chinesecalendar nor a court arrangement: weekdays open (provisional), 国庆 closed."""
    assert calendar.closed_reason(dt.date(2031, 3, 4)) is None
    assert calendar.provisional(dt.date(2031, 3, 4)) and not calendar.provisional(dt.date(2026, 3, 4))
    assert "国庆节" in calendar.closed_reason(dt.date(2031, 10, 2))


@pytest.mark.parametrize(("text", "day", "part"), [
    ("明天上午", "2026-12-02", "morning"),
    ("下周三", "2026-12-09", None),
    ("12月3号下午", "2026-12-03", "afternoon"),
    ("这周五", "2026-12-04", None),
    ("后天", "2026-12-03", None),
    ("星期一", "2026-12-07", None),  # a bare weekday that has passed means next week's
    ("昨天", "2026-11-30", None),
])
def test_natural_days(text, day, part):
    assert parse_day(text, court_time(2026, 12, 1, 9, 0)) == (dt.date.fromisoformat(day), part)


def test_a_january_day_said_in_late_december_is_next_year():
    assert parse_day("1月5号上午", court_time(2026, 12, 28, 9, 0)) == (dt.date(2027, 1, 5), "morning")
    assert parse_day("11月30号", court_time(2026, 12, 1, 9, 0))[0] == dt.date(2026, 11, 30)  # just passed: said so


def test_nonsense_is_not_a_day():
    with pytest.raises(DayNotUnderstood):
        parse_day("随便吧", court_time(2026, 12, 1, 9, 0))


def test_every_channel_names_the_services_as_the_court_profile_does():
    """One set of names (issue 11): the actions, the WeChat cards and the staff console all show the profile's."""
    from court_common.booking_services import BOOKING_SERVICES

    services = load_profile()["booking"]["services"]
    assert {code: info["name"] for code, info in services.items()} == BOOKING_SERVICES
