"""Issue 12: each attack found in the security review, reproduced against the real app and database, refused.

Rows: 1 identity from trusted channels, 3 bounded anonymous writes, 5 no enumeration of bookings, 6 risk report ids,
7 CSV formulas, 8 personal data at rest, 10 malformed input, 11 idempotency, 12 /health, and phone verification.
"""

import csv
import io
import re
import stat
import uuid

import pytest
from sqlalchemy import text

from tests.service.booking_support import INTERNAL, book, payload, verified

SLOT = "2026-12-02T08:30:00+08:00"
OTHER_SLOT = "2026-12-03T08:30:00+08:00"


def outbox(client, staff_headers) -> list[dict]:
    return client.get("/api/staff/outbox", headers=staff_headers).json()["messages"]


def latest_code(client, staff_headers, phone_tail: str) -> str:
    body = next(m["body"] for m in outbox(client, staff_headers) if m["to"].endswith(phone_tail))
    return re.search(r"验证码是(\d{6})", body).group(1)


# ---------- row 1: identity only from channels that can prove it ----------
def test_a_user_key_is_no_proof_from_outside(booking_client):
    reference = book(booking_client, SLOT, user_key="tel-victim").json()["reference"]
    listed = booking_client.post("/api/booking/lookup", json={"user_key": "tel-victim"})
    assert listed.status_code == 403
    read = booking_client.get(f"/api/booking/appointments/{reference}", headers={"X-User-Key": "tel-victim"})
    cancelled = booking_client.delete(f"/api/booking/appointments/{reference}", headers={"X-User-Key": "tel-victim"})
    assert read.status_code == 403 and cancelled.status_code == 403
    forged = booking_client.post("/api/booking/lookup", json={"user_key": "tel-victim"},
                                 headers={"X-Internal-Token": "guessed-wrong-secret-0000000000000"})
    assert forged.status_code == 403
    # a public booking cannot attach itself to someone's user key either
    public = booking_client.post("/api/booking/appointments", headers={"Idempotency-Key": uuid.uuid4().hex},
                                 json={**payload(OTHER_SLOT), "user_key": "tel-victim",
                                       "phone_verification": verified(booking_client)})
    assert public.status_code == 201
    mine = booking_client.post("/api/booking/lookup", json={"user_key": "tel-victim"}, headers=INTERNAL).json()
    assert [a["reference"] for a in mine["appointments"]] == [reference]


def test_internal_endpoints_are_closed_without_the_secret(booking_client, monkeypatch):
    from service_center.config import get_settings

    sms = {"to": "13812345678", "kind": "guide_details", "ref": "filing"}
    callback = {"phone": "+8613812345678", "call_sid": "CA1"}
    assert booking_client.post("/api/notifications/sms", json=sms).status_code == 403
    assert booking_client.post("/api/hotline/callbacks", json=callback).status_code == 403
    monkeypatch.delenv("INTERNAL_SECRET")
    monkeypatch.delenv("COURT_ENV", raising=False)
    get_settings.cache_clear()
    closed = booking_client.post("/api/hotline/callbacks", json=callback, headers=INTERNAL)
    assert closed.status_code == 503 and "INTERNAL_SECRET" in closed.json()["error"]["message"]


# ---------- phone verification: nobody books for, or texts, someone else's phone ----------
def test_a_booking_needs_a_verified_phone(booking_client, staff_headers):
    body = payload(SLOT, phone="13900001111")
    unverified = booking_client.post("/api/booking/appointments", json=body)
    assert unverified.status_code == 422
    made_up = booking_client.post("/api/booking/appointments", json={**body, "phone_verification": "x" * 24})
    assert made_up.status_code == 422 and "验证手机号" in made_up.json()["error"]["message"]
    started = booking_client.post("/api/verification/phone", json={"phone": "139 0000 1111"})
    assert started.status_code == 201
    answer = started.json()
    assert answer["verified"] is False and answer["phone"] == "139****1111" and answer["resend_after"] > 0
    messages = outbox(booking_client, staff_headers)
    assert len(messages) == 1 and messages[0]["purpose"] == "verification_code"
    assert "预约成功" not in messages[0]["body"]
    pending = booking_client.post("/api/booking/appointments",
                                  json={**body, "phone_verification": answer["verification_id"]})
    assert pending.status_code == 422  # not confirmed yet: no booking, no booking SMS
    code = latest_code(booking_client, staff_headers, "1111")
    wrong = "000000" if code != "000000" else "111111"
    refused = booking_client.post(f"/api/verification/phone/{answer['verification_id']}/check", json={"code": wrong})
    assert refused.status_code == 422 and "还可以试4次" in refused.json()["error"]["message"]
    ok = booking_client.post(f"/api/verification/phone/{answer['verification_id']}/check", json={"code": code})
    assert ok.status_code == 200 and ok.json()["verified"] is True
    booked = booking_client.post("/api/booking/appointments",
                                 json={**body, "phone_verification": answer["verification_id"]})
    assert booked.status_code == 201
    other_phone = booking_client.post("/api/booking/appointments", json={
        **payload(OTHER_SLOT, phone="13900002222"), "phone_verification": answer["verification_id"]})
    assert other_phone.status_code == 422 and "不一致" in other_phone.json()["error"]["message"]


def test_codes_have_bounded_tries_and_resends(booking_client, staff_headers):
    answer = booking_client.post("/api/verification/phone", json={"phone": "13900003333"}).json()
    check = f"/api/verification/phone/{answer['verification_id']}/check"
    code = latest_code(booking_client, staff_headers, "3333")
    wrong = "000000" if code != "000000" else "111111"
    statuses = [booking_client.post(check, json={"code": wrong}).status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 410]
    assert booking_client.post(check, json={"code": code}).status_code == 410  # the right code is now too late
    too_soon = booking_client.post(f"/api/verification/phone/{answer['verification_id']}/resend")
    assert too_soon.status_code == 429 and "秒后再重新发送" in too_soon.json()["error"]["message"]
    channel_only = booking_client.post("/api/verification/phone", json={"phone": "13900003333", "method": "caller_id"})
    assert channel_only.status_code == 403  # only the hotline connector (internal) vouches for a caller id


def test_codes_per_phone_are_bounded(booking_client):
    answers = [booking_client.post("/api/verification/phone", json={"phone": "13900004444"}).status_code
               for _ in range(7)]
    assert answers[:5] == [201] * 5 and answers[5:] == [429, 429]


# ---------- row 3: bounded anonymous writes ----------
def test_one_phone_holds_a_small_number_of_active_bookings_per_service(booking_client):
    assert book(booking_client, SLOT).status_code == 201
    assert book(booking_client, OTHER_SLOT).status_code == 201
    third = book(booking_client, "2026-12-04T08:30:00+08:00")
    assert third.status_code == 429 and "2个有效的同类预约" in third.json()["error"]["message"]
    assert book(booking_client, "2026-12-04T08:30:00+08:00", service="filing").status_code == 201


def test_bookings_per_client_are_bounded(booking_client):
    days = ["07", "08", "09", "10", "11", "14"]  # weekdays within the horizon: no slot fills up
    codes = [book(booking_client, f"2026-12-{day}T08:30:00+08:00", phone=f"1390000{i:04d}", headers={}).status_code
             for i, day in enumerate(days)]
    assert codes == [201] * 5 + [429]


def test_guide_sms_per_client_is_bounded(booking_client, monkeypatch):
    from service_center.notifications import router

    monkeypatch.setattr(router, "guide_text", lambda ref, _settings: f"【法院】{ref}")
    headers = {**INTERNAL, "X-Client-Key": "one-caller"}
    codes = [booking_client.post("/api/notifications/sms", headers=headers,
                                 json={"to": f"1380000{i:04d}", "kind": "guide_details", "ref": "filing"}).status_code
             for i in range(11)]
    assert codes == [202] * 10 + [429]


def test_callbacks_per_client_are_bounded(booking_client):
    headers = {**INTERNAL, "X-Client-Key": "one-caller"}
    codes = [booking_client.post("/api/hotline/callbacks", headers=headers,
                                 json={"phone": f"+861380000{i:04d}", "call_sid": f"CA{i}"}).status_code
             for i in range(6)]
    assert codes == [201] * 5 + [429]


# ---------- row 6: risk report ids are not enumerable ----------
def test_risk_report_ids_are_unguessable_and_six_digits_find_nothing(client):
    created = client.post("/api/risk/assessments", json={"dispute_type": "divorce", "domestic_violence": True})
    report_id = created.json()["id"]
    assert len(report_id) >= 22 and not report_id.isdigit()
    assert client.get(f"/api/risk/assessments/{report_id}").status_code == 200
    assert client.get("/api/risk/assessments/482913").status_code == 404
    assert client.get("/risk/482913").status_code == 404


def test_old_six_digit_reports_get_new_ids_when_migrated(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from tests.service.conftest import ROOT

    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "service_center" / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "r_0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO risk_assessments (id, dispute_type, level, answers, report) "
                                "VALUES ('482913', 'divorce', '高', '{}', '{}')"))
    command.upgrade(config, "heads")
    with engine.begin() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM risk_assessments"))]
    assert len(ids) == 1 and len(ids[0]) >= 22 and ids[0] != "482913"


# ---------- row 7: CSV cells cannot run in the clerk's spreadsheet ----------
def test_csv_cells_are_escaped_against_formulas(booking_client, staff_headers):
    book(booking_client, SLOT, description='=HYPERLINK("http://evil.example","点我")')
    book(booking_client, "2026-12-02T09:30:00+08:00", phone="13812340000", name="+SUM(1,2)")
    exported = booking_client.get("/api/staff/bookings", params={"day": "2026-12-02", "format": "csv"},
                                  headers=staff_headers)
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0]["description"].startswith("'=HYPERLINK")
    assert rows[1]["name"] == "'+SUM(1,2)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values() if cell)


# ---------- row 8: personal data at rest ----------
def test_database_file_is_private_and_retention_purges(booking_client, database_url, staff_headers):
    import datetime as dt

    from service_center.config import get_settings
    from service_center.db import get_sessionmaker
    from service_center.security.retention import purge_service

    path = database_url.removeprefix("sqlite:///")
    book(booking_client, SLOT)  # the engine (re)creates and opens the file
    assert stat.S_IMODE(__import__("os").stat(path).st_mode) == 0o600
    booking_client.post("/api/risk/assessments", json={"dispute_type": "loan", "amount": 1000})
    later = dt.datetime(2028, 1, 1)
    with get_sessionmaker()() as session:
        counts = purge_service(session, get_settings(), now=later)
    assert counts["bookings"] == 1 and counts["risk_reports"] == 1 and counts["sms"] >= 1
    assert booking_client.get("/api/staff/bookings", params={"day": "2026-12-02"},
                              headers=staff_headers).json()["count"] == 0


def test_old_conversations_are_purged_from_the_tracker_store(tmp_path):
    import sqlite3
    import time

    from service_center.security.retention import purge_conversations

    path = tmp_path / "tracker.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
                   "intent_name TEXT, action_name TEXT, data TEXT)")
        now = time.time()
        db.executemany("INSERT INTO events (sender_id, timestamp, data) VALUES (?, ?, '{}')",
                       [("old", now - 40 * 86400), ("old", now - 35 * 86400), ("recent", now - 40 * 86400),
                        ("recent", now - 3600)])
    assert purge_conversations(f"sqlite:///{path}", 30, now) == 2
    with sqlite3.connect(path) as db:
        assert {row[0] for row in db.execute("SELECT sender_id FROM events")} == {"recent"}


# ---------- row 10: malformed input is a 4xx with a Chinese message ----------
@pytest.mark.parametrize("last4", ["abcd", "null", "１２３４", "١٢٣٤", "12345", ""])
def test_malformed_proof_headers_are_422(booking_client, last4):
    reference = book(booking_client, SLOT).json()["reference"]
    response = booking_client.get(f"/api/booking/appointments/{reference}",
                                  headers={"X-Phone-Last4": last4.encode()})  # raw UTF-8 bytes on the wire
    assert response.status_code in (404, 422) and response.json()["error"]["message"]


@pytest.mark.parametrize("last4", ["１２３４", "١٢٣٤"])
def test_non_ascii_digits_in_the_body_are_422(booking_client, last4):
    response = booking_client.post("/api/booking/lookup", json={"reference": "123456", "phone_last4": last4})
    assert response.status_code == 422 and response.json()["error"]["message"] == "请求参数不正确"


def test_non_ascii_user_key_is_no_server_error(booking_client):
    reference = book(booking_client, SLOT, user_key="tel-1").json()["reference"]
    response = booking_client.post("/api/booking/lookup", json={"reference": reference, "user_key": "钥匙ключ"},
                                   headers=INTERNAL)
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["amount=1e30", "amount=inf", "amount=nan", "amount=-1"])
def test_absurd_amounts_are_422(client, query):
    response = client.get(f"/api/fees/estimate?case_type=loan&{query}")
    assert response.status_code == 422 and response.json()["error"]["message"] == "请求参数不正确"
    risk = client.post("/api/risk/assessments", json={"dispute_type": "loan", "amount": 1e30})
    assert risk.status_code == 422


@pytest.mark.parametrize("limit", ["-1e20", "-1", "0", "abc"])
def test_outbox_limit_is_validated(client, staff_headers, limit):
    response = client.get("/api/staff/outbox", params={"limit": limit}, headers=staff_headers)
    assert response.status_code == 422


def test_empty_call_sid_is_422_and_callback_times_carry_a_zone(client, staff_headers):
    for _ in range(2):
        response = client.post("/api/hotline/callbacks", json={"phone": "+8613812345678", "call_sid": ""},
                               headers=INTERNAL)
        assert response.status_code == 422
    client.post("/api/hotline/callbacks", json={"phone": "+8613812345678", "call_sid": "CA1"}, headers=INTERNAL)
    listed = client.get("/api/staff/hotline/callbacks", headers=staff_headers).json()
    assert listed[0]["created_at"].endswith(("+00:00", "Z"))


# ---------- row 11: idempotency keys are scoped and bound to the body ----------
def test_a_replayed_key_never_returns_someone_elses_booking(booking_client):
    key = "same-key-0001"
    first = book(booking_client, SLOT, key=key, headers={**INTERNAL, "X-Client-Key": "alice"})
    assert first.status_code == 201
    replay = book(booking_client, SLOT, key=key, headers={**INTERNAL, "X-Client-Key": "alice"},
                  phone_verification=first.json() and verified(booking_client))
    assert replay.status_code == 200 and replay.json()["reference"] == first.json()["reference"]
    other_body = book(booking_client, OTHER_SLOT, key=key, headers={**INTERNAL, "X-Client-Key": "alice"})
    assert other_body.status_code == 409 and "Idempotency-Key" in other_body.json()["error"]["message"]
    someone_else = book(booking_client, SLOT, key=key, phone="13700001234",
                        headers={**INTERNAL, "X-Client-Key": "mallory"})
    assert someone_else.status_code == 201 and someone_else.json()["reference"] != first.json()["reference"]
    assert "5678" not in someone_else.json()["phone"]


# ---------- row 12: /health says when it is degraded ----------
def test_health_is_503_when_a_dependency_is_down(client):
    response = client.get("/health")  # Rasa and the action server point at a port nobody listens on
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded" and body["checks"]["rasa"]["status"] == "down"
