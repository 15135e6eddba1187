"""The dashboard API: headline counts equal the charts' tables, filters by date and channel, CSV of every table,
every role may read it, nobody without a login."""

import csv
import io

from tests.service.booking_support import book
from tests.service.conftest import make_staff

DAY = "2026-12-01"


def events(client, items):
    assert client.post("/api/analytics/events", json={"events": items}).status_code == 202


def test_summary_matches_the_tables_and_filters(booking_client):
    c = booking_client
    events(c, [{"kind": "conversation", "outcome": "started", "channel": "socketio"},
               {"kind": "turn", "outcome": "answered", "channel": "socketio", "entry_id": "filing-online"},
               {"kind": "turn", "outcome": "unanswered", "channel": "socketio"},
               {"kind": "conversation", "outcome": "started", "channel": "hotline_12368"},
               {"kind": "turn", "outcome": "handoff", "channel": "hotline_12368"},
               {"kind": "hotline_transfer", "outcome": "dialled", "channel": "hotline_12368"}])
    book(c, "2026-12-03T09:30:00+08:00")
    leader = {"Authorization": f"Bearer {make_staff('leader', 'leader')}"}
    today = c.get("/api/staff/dashboard/summary", headers=leader).json()["until"]
    summary = c.get("/api/staff/dashboard/summary", params={"since": today}, headers=leader).json()
    assert {k: summary[k] for k in ("conversations", "answered", "unanswered", "handoffs", "hotline_calls",
                                    "hotline_transfers", "turns")} == {
        "conversations": 2, "answered": 1, "unanswered": 1, "handoffs": 1, "hotline_calls": 1,
        "hotline_transfers": 1, "turns": 3}
    assert summary["unanswered_rate"] == round(1 / 3, 3)
    web = c.get("/api/staff/dashboard/summary", params={"since": today, "channel": "web"}, headers=leader).json()
    assert (web["conversations"], web["handoffs"], web["hotline_calls"]) == (1, 0, 1)  # the hotline's own figures stay
    tables = {t["id"]: t for t in c.get("/api/staff/dashboard/tables", params={"since": today},
                                        headers=leader).json()["tables"]}
    outcomes = tables["outcomes_by_day"]
    row = outcomes["rows"][-1]
    assert row[outcomes["columns"].index("answered")] == summary["answered"]
    assert row[outcomes["columns"].index("handoff")] == summary["handoffs"]
    conversations = tables["conversations_by_day"]["rows"][-1]
    assert sum(conversations[1:3]) == summary["conversations"]
    assert tables["top_entries"]["rows"][0][0] == "filing-online"
    assert tables["top_unanswered"]["rows"] == []
    for question in ("狗把我咬了找谁", "狗把我咬了该找谁", "法院食堂开不开"):
        c.post("/api/kb/unanswered", json={"question": question, "channel": "socketio"})
    grouped = {t["id"]: t for t in c.get("/api/staff/dashboard/tables", params={"since": today, "channel": "web"},
                                         headers=leader).json()["tables"]}["top_unanswered"]["rows"]
    assert [count for _, count in grouped] == [2, 1] and grouped[1][0] == "法院食堂开不开"
    assert grouped[0][0] in ("狗把我咬了找谁", "狗把我咬了该找谁")
    bookings = tables["bookings_by_day"]
    assert sum(sum(r[1:]) for r in bookings["rows"]) == summary["bookings"] == 1
    rates = {r[0]: r for r in tables["booking_rates"]["rows"]}
    assert rates["诉前调解"][1] == 1 and rates["诉前调解"][7] == 2.0  # booked two days ahead


def test_every_table_downloads_as_csv(booking_client, staff_headers):
    c = booking_client
    events(c, [{"kind": "turn", "outcome": "answered", "channel": "wechat", "entry_id": "fee-appeal"}])
    tables = c.get("/api/staff/dashboard/tables", headers=staff_headers).json()["tables"]
    assert len(tables) >= 13
    for table in tables:
        response = c.get(f"/api/staff/dashboard/tables/{table['id']}.csv", headers=staff_headers)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
        assert rows[0] == table["columns"] and len(rows) - 1 == len(table["rows"])
    assert c.get("/api/staff/dashboard/tables/nope.csv", headers=staff_headers).status_code == 404


def test_bad_filters_are_polite_4xx_and_login_is_needed(booking_client, staff_headers):
    c = booking_client
    assert c.get("/api/staff/dashboard/summary").status_code == 401
    wrong = c.get("/api/staff/dashboard/summary", params={"since": "2026-12-05", "until": "2026-12-01"},
                  headers=staff_headers)
    assert wrong.status_code == 422 and "开始日期" in wrong.json()["error"]["message"]
    assert c.get("/api/staff/dashboard/summary", params={"channel": "fax"}, headers=staff_headers).status_code == 422
    not_a_day = c.get("/api/staff/dashboard/summary", params={"since": "yesterday"}, headers=staff_headers)
    assert not_a_day.status_code == 422
    for role in ("filing_clerk", "mediator", "hotline_agent", "guide_editor"):
        token = make_staff(f"d_{role}", role)
        assert c.get("/api/staff/dashboard/summary", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_console_page_is_served_without_data_or_secrets(client):
    page = client.get("/staff")
    assert page.status_code == 200 and "/static/console/dist/console.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert client.get("/static/console/console.css").status_code == 200
    assert client.get("/static/console/../router.py").status_code == 404


def test_a_self_test_that_led_to_a_booking_is_counted_once(booking_client):
    c = booking_client
    loan = {"dispute_type": "loan", "amount": 100000, "arose": "2022", "last_demand": "never",
            "evidence": ["contract"], "defendant": "full", "enforceable_property": "yes", "prior": "none",
            "channel": "rest"}
    report = c.post("/api/risk/assessments", json=loan).json()["id"]
    c.post("/api/risk/assessments", json=loan)  # a second self-test nobody booked after
    assert book(c, "2026-12-03T09:30:00+08:00", risk_report_id=report).status_code == 201
    # the same report again (a second booking in the conversation), an unknown one, and an outsider's claim
    assert book(c, "2026-12-03T13:30:00+08:00", risk_report_id=report, phone="13812345679").status_code == 201
    assert book(c, "2026-12-03T10:30:00+08:00", risk_report_id="A" * 22, phone="13812345670").status_code == 201
    outsider = c.post("/api/risk/assessments", json=loan).json()["id"]
    assert book(c, "2026-12-04T09:30:00+08:00", risk_report_id=outsider, phone="13812345671",
                headers={}).status_code == 201
    leader = {"Authorization": f"Bearer {make_staff('leader2', 'leader')}"}
    summary = c.get("/api/staff/dashboard/summary", headers=leader).json()
    assert (summary["risk_assessments"], summary["risk_led_to_booking"], summary["bookings"]) == (3, 1, 4)
    risk = {t["id"]: t for t in c.get("/api/staff/dashboard/tables", headers=leader).json()["tables"]}["risk_by_type"]
    row = dict(zip(risk["columns"], risk["rows"][0], strict=True))
    assert (row["dispute_type"], row["total"], row["led_to_booking"]) == ("民间借贷", 3, 1)
