"""Staff side (named accounts: see test_staff_accounts.py): the day's list (JSON/CSV), masking, check-in,
cancel with reason, no-show, audit, outbox."""

import logging

from tests.service.booking_support import book

SLOT = "2026-12-02T09:30:00+08:00"


def test_staff_endpoints_need_the_token(booking_client):
    assert booking_client.get("/api/staff/bookings").status_code == 401
    wrong = booking_client.get("/api/staff/bookings", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "个人令牌无效或已撤销"
    assert booking_client.get("/api/staff/outbox").status_code == 401


def test_list_json_and_csv_with_masked_phones(booking_client, staff_headers):
    reference = book(booking_client, SLOT).json()["reference"]
    book(booking_client, "2026-12-02T08:30:00+08:00", service="filing", phone="13900001111")
    body = booking_client.get("/api/staff/bookings", params={"day": "2026-12-02", "service": "mediation"},
                              headers=staff_headers).json()
    assert body["count"] == 1
    row = body["bookings"][0]
    assert row["reference"] == reference and row["phone"] == "138****5678" and row["name"] == "张三"
    csv_response = booking_client.get("/api/staff/bookings", params={"day": "2026-12-02", "format": "csv"},
                                      headers=staff_headers)
    assert csv_response.headers["content-type"].startswith("text/csv")
    text = csv_response.text
    assert text.count("\n") == 3 and "13812345678" not in text and "138****5678" in text
    by_accept = booking_client.get("/api/staff/bookings", params={"day": "2026-12-02"},
                                   headers={**staff_headers, "Accept": "text/csv"})
    assert by_accept.headers["content-type"].startswith("text/csv")


def test_check_in_no_show_cancel_and_audit(booking_client, staff_headers):
    first = book(booking_client, SLOT).json()["reference"]
    second = book(booking_client, SLOT, phone="13700001234").json()["reference"]
    checked = booking_client.post(f"/api/staff/bookings/{first}/check-in", headers=staff_headers)
    assert checked.json()["status"] == "checked_in"
    twice = booking_client.post(f"/api/staff/bookings/{first}/check-in", headers=staff_headers)
    assert twice.status_code == 409 and "已签到" in twice.json()["error"]["message"]
    no_reason = booking_client.post(f"/api/staff/bookings/{second}/cancel", json={}, headers=staff_headers)
    assert no_reason.status_code == 422
    cancelled = booking_client.post(f"/api/staff/bookings/{second}/cancel", json={"reason": "当事人来电取消"},
                                    headers=staff_headers)
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancel_reason"] == "当事人来电取消"
    third = book(booking_client, "2026-12-02T10:30:00+08:00").json()["reference"]
    assert booking_client.post(f"/api/staff/bookings/{third}/no-show",
                               headers=staff_headers).json()["status"] == "no_show"
    trail = booking_client.get(f"/api/staff/bookings/{second}/audit", headers=staff_headers).json()["audit"]
    assert [t["action"] for t in trail] == ["create", "cancel"]
    assert trail[0]["actor"] == "litigant:rest" and trail[1]["actor"] == "staff:test-admin:admin"
    assert trail[0]["details"]["phone"] == "137****1234"
    assert trail[1]["details"]["reason"] == "当事人来电取消"
    assert booking_client.get("/api/staff/bookings/000000/audit", headers=staff_headers).status_code == 404


def test_confirmation_sms_waits_in_the_outbox(booking_client, staff_headers):
    reference = book(booking_client, SLOT).json()["reference"]
    booking_client.post(f"/api/booking/appointments/{reference}/cancel", json={"phone_last4": "5678"})
    messages = booking_client.get("/api/staff/outbox", headers=staff_headers).json()["messages"]
    assert [m["purpose"] for m in messages] == ["booking_cancelled", "booking_created"]
    created = messages[1]
    assert created["status"] == "outbox" and created["to"] == "138****5678"
    assert reference in created["body"] and "12月2日" in created["body"] and "请以法院公告为准" in created["body"]


def test_logs_never_show_a_full_phone(booking_client, caplog):
    caplog.set_level(logging.INFO)
    book(booking_client, SLOT)
    assert "13812345678" not in caplog.text


def test_numbers_inside_the_description_are_masked(booking_client, staff_headers):
    book(booking_client, SLOT, description="对方电话13512345678，身份证220721199001011234")
    row = booking_client.get("/api/staff/bookings", params={"day": "2026-12-02"}, headers=staff_headers
                             ).json()["bookings"][0]
    assert "13512345678" not in row["description"] and "135****5678" in row["description"]
    assert "220721199001011234" not in row["description"]
