"""The holiday calendar past the end of chinesecalendar's data: provisional years stay bookable, the court's
arrangement (staff API or data file) takes precedence, and bookings it puts on a holiday are listed for staff and
messaged to the litigant — on real SQLite and PostgreSQL, with "today" pinned by BOOKING_NOW.

Every arrangement below is test data written for these tests, not a State Council notice."""

import datetime as dt
from collections import Counter

import chinese_calendar
import pytest
from fastapi.testclient import TestClient

from service_center.booking.holidays.__main__ import main as holidays_command
from service_center.booking.holidays.statutory import statutory_holidays
from tests.service.booking_support import book

NOTE = "节假日安排以国务院公告和法院通知为准"
TEST_SOURCE = {"source_title": "测试用安排（不是国务院通知）", "source_date": "2026-11-20"}


@pytest.fixture(params=["database_url", "postgres_url"])
def any_database(request) -> str:
    return request.getfixturevalue(request.param)


@pytest.fixture
def client_at(monkeypatch):
    """client_at("2026-12-20T09:00:00") -> the app with the booking clock pinned there (needs a database)."""
    from service_center.config import get_settings
    from service_center.main import create_app

    opened = []

    def start(now: str) -> TestClient:
        monkeypatch.setenv("BOOKING_NOW", now)
        get_settings.cache_clear()
        client = TestClient(create_app())
        client.__enter__()
        opened.append(client)
        return client

    yield start
    for client in opened:
        client.__exit__(None, None, None)


def outbox(client, staff_headers, purpose: str) -> list[dict]:
    messages = client.get("/api/staff/outbox", headers=staff_headers).json()["messages"]
    return [m for m in messages if m["purpose"] == purpose]


# ---------- the computation, checked against the library's official data ----------
@pytest.mark.parametrize("year", [2025, 2026])
def test_computed_statutory_days_are_holidays_in_chinesecalendar(year):
    """Every day computed from the 2024 放假办法 (lunar dates, 清明) is an official holiday of that name."""
    names = {"元旦": "元旦", "春节": "春节", "清明节": "清明", "劳动节": "劳动节", "端午节": "端午",
             "中秋节": "中秋", "国庆节": "国庆节"}
    computed = statutory_holidays(year)
    assert len(computed) == 13
    for day, name in computed.items():
        is_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        assert is_holiday and not chinese_calendar.is_workday(day), day
        assert chinese_calendar.Holiday(holiday).chinese == names[name], (day, name, holiday)


def test_statutory_day_counts_and_a_shared_day():
    counts = Counter(statutory_holidays(2027).values())
    assert counts == {"元旦": 1, "春节": 4, "清明节": 1, "劳动节": 2, "端午节": 1, "中秋节": 1, "国庆节": 3}
    assert statutory_holidays(2027)[dt.date(2027, 2, 5)] == "春节"  # 除夕, the day before 正月初一 (6 Feb)
    far = statutory_holidays(2031)
    assert far[dt.date(2031, 10, 1)] == "中秋节、国庆节" and far[dt.date(2031, 4, 5)] == "清明节"


# ---------- provisional years ----------
def test_a_2027_date_is_bookable_now_and_marked_provisional(database_url, client_at, staff_headers):
    client = client_at("2026-12-20T09:00:00")  # the horizon reaches 3 January 2027
    answer = client.get("/api/booking/slots", params={"service": "mediation", "date": "2026-12-31"}).json()
    assert answer["slots"][0]["start"].startswith("2026-12-31") and answer["slots"][0]["provisional"] is False

    new_year = client.get("/api/booking/slots", params={"service": "mediation", "date": "2027-01-01"}).json()
    assert "法定节假日（元旦）" in new_year["notice"]  # computed: 元旦 is closed even without an arrangement

    client = client_at("2026-12-28T09:00:00")
    answer = client.get("/api/booking/slots", params={"service": "mediation", "date": "2027-01-05"}).json()
    slot = answer["slots"][0]
    assert slot["start"] == "2027-01-05T08:30:00+08:00" and slot["provisional"] is True
    assert NOTE in slot["calendar_note"] and answer["provisional"] and NOTE in answer["calendar_note"]
    day = client.post("/api/booking/parse-day", json={"text": "1月5号上午"}).json()
    assert day == {**day, "date": "2027-01-05", "bookable": True}

    created = book(client, slot["start"])
    assert created.status_code == 201, created.text
    assert created.json()["provisional"] is True and NOTE in created.json()["calendar_note"]
    sms = outbox(client, staff_headers, "booking_created")[0]["body"]
    assert created.json()["reference"] in sms and NOTE in sms

    status = client.get("/api/staff/calendar/status", headers=staff_headers).json()
    assert status["missing"] == [2027] and "2027年" in status["warning"]
    health = client.get("/health").json()
    assert health["checks"]["calendar"] == {**health["checks"]["calendar"], "status": "provisional",
                                            "years_without_official": [2027]}
    assert any("2027年" in w for w in health["warnings"])


def test_the_staff_calendar_needs_a_staff_token(database_url, client_at):
    client = client_at("2026-12-20T09:00:00")
    assert client.get("/api/staff/calendar/status").status_code == 401
    assert client.put("/api/staff/calendar/arrangements/2027", json={}).status_code == 401


# ---------- the court's arrangement ----------
def write_arrangement(path, year: int, holidays: list[str], workdays: list[str]) -> str:
    lines = [f"year: {year}", f"source_title: {TEST_SOURCE['source_title']}",
             f"source_date: {TEST_SOURCE['source_date']}", "holidays:"]
    lines += [f"  - {span}" for span in holidays]
    lines += ["workdays:"] + [f"  - {span}" for span in workdays] if workdays else ["workdays: []"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_the_2027_arrangement_entered_as_data_changes_which_days_are_open(database_url, client_at, staff_headers,
                                                                          tmp_path, capsys):
    client = client_at("2026-12-28T09:00:00")
    days = client.get("/api/staff/calendar/days", params={"from": "2027-01-01", "to": "2027-01-10"},
                      headers=staff_headers).json()["days"]
    before = {d["date"]: d for d in days}
    assert not before["2027-01-01"]["open"] and before["2027-01-04"]["open"] and not before["2027-01-09"]["open"]
    assert all(d["provisional"] and d["source"] == "statutory" for d in days)

    path = write_arrangement(tmp_path / "2027.yml", 2027,
                             ["{name: 元旦, from: 2027-01-01, to: 2027-01-04}"], ["{name: 元旦, day: 2027-01-09}"])
    assert holidays_command(["load", path, "--by", "李管理员"]) == 0
    assert "已录入" in capsys.readouterr().out

    days = client.get("/api/staff/calendar/days", params={"from": "2027-01-01", "to": "2027-01-10"},
                      headers=staff_headers).json()["days"]
    after = {d["date"]: d for d in days}
    assert not after["2027-01-04"]["open"] and after["2027-01-04"]["holiday"] == "元旦"
    assert after["2027-01-09"]["open"]  # a 调休 Saturday
    assert all(d["source"] == "court" and not d["provisional"] for d in days)
    slots = client.get("/api/booking/slots", params={"service": "filing", "date": "2027-01-04"}).json()
    assert "法定节假日" in slots["notice"] and slots["slots"][0]["start"].startswith("2027-01-05")
    assert slots["provisional"] is False and slots["calendar_note"] is None
    saturday = client.get("/api/booking/slots", params={"service": "filing", "date": "2027-01-09"}).json()
    assert saturday["slots"][0]["start"].startswith("2027-01-09") and saturday["notice"] is None

    entered = client.get("/api/staff/calendar/arrangements/2027", headers=staff_headers).json()
    assert entered["entered_by"] == "李管理员" and entered["source_title"] == TEST_SOURCE["source_title"]
    assert entered["history"][0]["action"] == "enter" and entered["history"][0]["via"] == "file:2027.yml"
    assert client.get("/api/staff/calendar/status", headers=staff_headers).json()["missing"] == []
    assert client.get("/health").json()["checks"]["calendar"]["status"] == "ok"


def test_an_affected_booking_is_marked_listed_and_messaged(any_database, client_at, staff_headers):
    client = client_at("2026-12-28T09:00:00")
    reference = book(client, "2027-01-04T09:30:00+08:00", phone="13912348888").json()["reference"]
    other = book(client, "2027-01-05T09:30:00+08:00").json()["reference"]

    body = {**TEST_SOURCE, "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"}],
            "workdays": [{"name": "元旦", "day": "2027-01-09"}]}
    entered = client.put("/api/staff/calendar/arrangements/2027", json=body, headers=staff_headers)
    assert entered.status_code == 200, entered.text
    assert [b["reference"] for b in entered.json()["affected"]] == [reference]
    assert entered.json()["warnings"]  # the test data leaves out 春节 etc., which the check points out

    listed = client.get("/api/staff/calendar/affected", headers=staff_headers).json()["bookings"]
    assert [b["reference"] for b in listed] == [reference]
    assert listed[0]["status"] == "booked" and "元旦" in listed[0]["holiday_conflict"]
    assert listed[0]["phone"] == "139****8888"
    sms = outbox(client, staff_headers, "booking_holiday_conflict")
    assert len(sms) == 1 and reference in sms[0]["body"] and "改约" in sms[0]["body"]
    assert sms[0]["to"] == "139****8888"
    actions = [a["action"] for a in client.get(f"/api/staff/bookings/{reference}/audit",
                                               headers=staff_headers).json()["audit"]]
    assert actions == ["create", "holiday_conflict"]
    mine = client.post("/api/booking/lookup", json={"reference": reference, "phone_last4": "8888"}).json()
    assert "元旦" in mine["appointments"][0]["holiday_conflict"]  # what the conversation tells on look-up

    # Entering it again changes nothing and sends nothing twice.
    again = client.put("/api/staff/calendar/arrangements/2027", json=body, headers=staff_headers).json()
    assert again["affected"] == [] and len(outbox(client, staff_headers, "booking_holiday_conflict")) == 1
    assert [h["action"] for h in client.get("/api/staff/calendar/arrangements/2027",
                                            headers=staff_headers).json()["history"]] == ["enter", "replace"]

    # The litigant rebooks: the mark goes, the list empties.
    moved = client.post(f"/api/booking/appointments/{reference}/change",
                        json={"phone_last4": "8888", "start": "2027-01-05T10:30:00+08:00"})
    assert moved.status_code == 200, moved.text
    assert client.get("/api/staff/calendar/affected", headers=staff_headers).json()["count"] == 0
    assert other not in {m["body"] for m in outbox(client, staff_headers, "booking_holiday_conflict")}


def test_a_withdrawn_arrangement_reopens_the_day_and_says_so(database_url, client_at, staff_headers):
    client = client_at("2026-12-28T09:00:00")
    reference = book(client, "2027-01-04T09:30:00+08:00").json()["reference"]
    body = {**TEST_SOURCE, "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"}]}
    assert client.put("/api/staff/calendar/arrangements/2027", json=body, headers=staff_headers).status_code == 200
    withdrawn = client.delete("/api/staff/calendar/arrangements/2027", headers=staff_headers).json()
    assert [b["reference"] for b in withdrawn["restored"]] == [reference]
    restored = outbox(client, staff_headers, "booking_holiday_restored")
    assert len(restored) == 1 and "原预约有效" in restored[0]["body"]
    assert client.get("/api/staff/calendar/affected", headers=staff_headers).json()["count"] == 0
    assert client.get("/api/staff/calendar/arrangements/2027", headers=staff_headers).status_code == 404


def test_a_far_year_2031_books_provisionally_and_the_load_command_lists_the_affected(database_url, client_at,
                                                                                    staff_headers, tmp_path,
                                                                                    capsys):
    client = client_at("2030-12-24T09:00:00")
    chunjie = client.get("/api/booking/slots", params={"service": "mediation", "date": "2031-01-02"}).json()
    assert chunjie["slots"][0]["start"].startswith("2031-01-02") and chunjie["provisional"] is True
    reference = book(client, "2031-01-02T14:30:00+08:00", phone="13700001111").json()["reference"]
    assert client.get("/api/staff/calendar/status", headers=staff_headers).json()["missing"] == [2030, 2031]

    path = write_arrangement(tmp_path / "2031.yml", 2031, ["{name: 元旦, from: 2031-01-01, to: 2031-01-03}"], [])
    assert holidays_command(["load", path, "--by", "王管理员"]) == 0
    out = capsys.readouterr().out
    assert "受影响的预约" in out and reference in out and "137****1111" in out and "13700001111" not in out
    sms = outbox(client, staff_headers, "booking_holiday_conflict")
    assert len(sms) == 1 and reference in sms[0]["body"]
    assert client.get("/api/staff/calendar/affected", headers=staff_headers).json()["bookings"][0][
        "reference"] == reference


def test_invalid_arrangements_are_refused_with_every_problem(database_url, client_at, staff_headers, tmp_path,
                                                            capsys):
    client = client_at("2026-12-28T09:00:00")
    body = {**TEST_SOURCE, "holidays": [{"name": "春节", "from": "2027-02-10", "to": "2027-02-05"},
                                        {"name": "元旦", "day": "2028-01-01"}, {"name": "清明节", "day": "2027-04-05"}],
            "workdays": [{"name": "春节", "day": "2027-02-03"}, {"name": "清明节", "day": "2027-04-05"}]}
    refused = client.put("/api/staff/calendar/arrangements/2027", json=body, headers=staff_headers)
    assert refused.status_code == 422
    problems = refused.json()["error"]["details"]["problems"]
    assert len(problems) == 4 and any("早于开始日期" in p for p in problems)
    assert any("不在2027年内" in p for p in problems) and any("不是周六或周日" in p for p in problems)
    assert any("既是放假日又是调休上班日" in p for p in problems)
    shape = client.put("/api/staff/calendar/arrangements/2027", json={"holidays": []}, headers=staff_headers)
    assert shape.status_code == 422 and shape.json()["error"]["message"]
    assert client.get("/api/staff/calendar/arrangements/2027", headers=staff_headers).status_code == 404

    bad = tmp_path / "2027.yml"
    bad.write_text("year: 2027\nsource_title: 测试\nholidays: []\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        holidays_command(["load", str(bad), "--by", "x"])
    assert exited.value.code == 1 and "没有保存" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        holidays_command(["load", "knowledge_base/holidays/EXAMPLE-2027.yml"])  # --by is required
    assert holidays_command(["load", "knowledge_base/holidays/EXAMPLE-2027.yml", "--by", "x"]) == 1
    assert "示例" in capsys.readouterr().err


def test_a_booking_put_on_a_holiday_gets_no_day_before_reminder(database_url, client_at, staff_headers):
    from service_center.booking.service import send_reminders
    from service_center.db import get_sessionmaker

    client = client_at("2026-12-28T09:00:00")
    book(client, "2027-01-04T09:30:00+08:00")
    body = {**TEST_SOURCE, "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"}]}
    client.put("/api/staff/calendar/arrangements/2027", json=body, headers=staff_headers)
    with get_sessionmaker()() as session:
        sent = send_reminders(session, now=dt.datetime.fromisoformat("2027-01-03T17:00:00+08:00"))
    assert sent == 0


def written_by_another_replica() -> None:
    """A 2027 arrangement (元旦 1–4 January) saved straight into the table, as another process would."""
    from service_center.booking.holidays.models import HolidayArrangement
    from service_center.db import get_sessionmaker

    with get_sessionmaker()() as session:
        session.add(HolidayArrangement(year=2027, source_title=TEST_SOURCE["source_title"],
                                       source_date=dt.date(2026, 11, 20), entered_by="另一台服务器",
                                       holidays=[{"name": "元旦", "from": "2027-01-01", "to": "2027-01-04"}],
                                       workdays=[]))
        session.commit()


def test_another_process_entry_is_seen_after_the_cache_time(database_url, client_at, staff_headers, monkeypatch):
    """An arrangement written by another replica (here: straight into the table) is read within
    HOLIDAY_CACHE_SECONDS, not before."""
    from service_center.config import get_settings

    monkeypatch.setenv("HOLIDAY_CACHE_SECONDS", "3600")
    client = client_at("2026-12-28T09:00:00")
    assert client.get("/api/staff/calendar/status", headers=staff_headers).json()["missing"] == [2027]
    written_by_another_replica()
    assert client.get("/api/staff/calendar/status", headers=staff_headers).json()["missing"] == [2027]
    monkeypatch.setenv("HOLIDAY_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    assert client.get("/api/staff/calendar/status", headers=staff_headers).json()["missing"] == []
    assert "元旦" in client.get("/api/booking/slots", params={"service": "filing", "date": "2027-01-04"}).json()[
        "notice"]


def test_reconcile_finds_bookings_a_change_elsewhere_closed(database_url, client_at, staff_headers, monkeypatch,
                                                            capsys):
    """E.g. after upgrading chinesecalendar, or an arrangement loaded on another replica: reconcile (API or
    command) marks and messages once."""
    monkeypatch.setenv("HOLIDAY_CACHE_SECONDS", "0")
    client = client_at("2026-12-28T09:00:00")
    reference = book(client, "2027-01-04T09:30:00+08:00").json()["reference"]
    written_by_another_replica()
    found = client.post("/api/staff/calendar/reconcile", headers=staff_headers).json()
    assert [b["reference"] for b in found["affected"]] == [reference]
    assert holidays_command(["reconcile", "--by", "李管理员"]) == 0
    assert "受影响的预约（当天不办公，已标记并短信通知改约）：0个" in capsys.readouterr().out
    assert len(outbox(client, staff_headers, "booking_holiday_conflict")) == 1


def test_a_draft_must_be_completed_and_then_validates(tmp_path, capsys, monkeypatch):
    from service_center.booking.holidays.__main__ import draft
    from service_center.config import get_settings

    monkeypatch.setenv("BOOKING_NOW", "2030-12-01T09:00:00")
    get_settings.cache_clear()
    path = tmp_path / "2031.yml"
    path.write_text(draft(2031), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:  # title and date left blank: refused, nothing saved
        holidays_command(["validate", str(path)])
    assert exited.value.code == 1 and "source_date" in capsys.readouterr().err
    filled = draft(2031).replace('source_title: ""', "source_title: 测试用安排（不是国务院通知）")
    path.write_text(filled.replace("source_date:", "source_date: 2030-11-20"), encoding="utf-8")
    assert holidays_command(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "检查通过" in out and "放假12天" in out and "注意" not in out  # 2031: 中秋 falls on 国庆
