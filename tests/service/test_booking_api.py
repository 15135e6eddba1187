"""The booking API on a real (SQLite) database: slots, create, idempotency, look-up, change, cancel."""

import uuid

from service_center.booking.router import NOT_FOUND
from tests.service.booking_support import INTERNAL, book, payload

SLOT = "2026-12-02T08:30:00+08:00"  # Wednesday morning, mediation capacity 2


def test_services_and_calendar_rules(booking_client):
    body = booking_client.get("/api/booking/services").json()
    assert {s["code"] for s in body["services"]} == {"mediation", "filing", "cross_region_filing",
                                                    "judicial_confirmation"}
    assert body["horizon_days"] == 14
    assert body["times_notice"] == "预约时间安排请以法院公告为准"


def test_nearest_free_slots_for_a_preferred_day_and_part(booking_client):
    body = booking_client.get("/api/booking/slots",
                              params={"service": "mediation", "date": "2026-12-02", "part": "afternoon"}).json()
    assert [s["start"] for s in body["slots"]] == ["2026-12-02T13:30:00+08:00", "2026-12-02T14:30:00+08:00",
                                                  "2026-12-02T15:30:00+08:00"]
    assert all(s["exact"] for s in body["slots"]) and body["notice"] is None


def test_a_sunday_gets_a_clear_notice_and_monday_slots(booking_client):
    body = booking_client.get("/api/booking/slots", params={"service": "filing", "date": "2026-12-06"}).json()
    assert "周末" in body["notice"]
    assert body["slots"][0]["start"].startswith("2026-12-07T08:30")


def test_past_and_beyond_horizon_days_are_refused(booking_client):
    past = booking_client.get("/api/booking/slots", params={"service": "filing", "date": "2026-11-30"})
    assert past.status_code == 422 and "已经过去" in past.json()["error"]["message"]
    far = booking_client.get("/api/booking/slots", params={"service": "filing", "date": "2026-12-30"})
    assert far.status_code == 422 and "14天以内" in far.json()["error"]["message"]


def test_parse_day(booking_client):
    body = booking_client.post("/api/booking/parse-day", json={"text": "明天上午"}).json()
    assert body == {"date": "2026-12-02", "part": "morning", "label": "12月2日（周三）上午", "bookable": True,
                    "problem": None}
    sunday = booking_client.post("/api/booking/parse-day", json={"text": "周日"}).json()
    assert sunday["bookable"] is False and "周末" in sunday["problem"]
    bad = booking_client.post("/api/booking/parse-day", json={"text": "随便"})
    assert bad.status_code == 422 and "明天上午" in bad.json()["error"]["message"]


def test_book_and_replay_with_the_same_idempotency_key(booking_client):
    first = book(booking_client, SLOT, key="retry-1")
    assert first.status_code == 201, first.text
    body = first.json()
    assert len(body["reference"]) == 6 and body["reference"].isdigit()
    assert body["phone"] == "138****5678" and body["name"] == "张*"
    assert body["place"].endswith("请以法院公告为准）") and body["bring"]
    again = book(booking_client, SLOT, key="retry-1")
    assert again.status_code == 200 and again.json()["reference"] == body["reference"]
    assert again.json()["replayed"] is True
    slots = booking_client.get("/api/booking/slots", params={"service": "mediation", "date": "2026-12-02",
                                                             "part": "morning"}).json()["slots"]
    assert slots[0]["start"] == SLOT and slots[0]["free"] == 1  # booked once, not twice


def test_full_slot_answers_409_with_alternatives_and_cancel_frees_it(booking_client):
    refs = [book(booking_client, SLOT, phone=f"1391234000{i}").json()["reference"] for i in range(2)]
    full = book(booking_client, SLOT)
    assert full.status_code == 409
    error = full.json()["error"]
    assert "已约满" in error["message"]
    assert error["details"]["alternatives"] and all(a["start"] != SLOT for a in error["details"]["alternatives"])
    cancelled = booking_client.post(f"/api/booking/appointments/{refs[0]}/cancel", json={"phone_last4": "0000"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert book(booking_client, SLOT).status_code == 201  # the place is free at once
    again = booking_client.post(f"/api/booking/appointments/{refs[0]}/cancel", json={"phone_last4": "0000"})
    assert again.status_code == 409 and "已取消" in again.json()["error"]["message"]


def test_rules_are_enforced_on_create(booking_client):
    cases = {
        "2026-12-01T08:30:00+08:00": "已经过去",
        "2026-12-02T12:30:00+08:00": "办公时间",
        "2026-12-06T08:30:00+08:00": "周末",
        "2026-12-16T08:30:00+08:00": "14天以内",
    }
    for start, words in cases.items():
        response = book(booking_client, start)
        assert response.status_code == 422 and words in response.json()["error"]["message"], start
    bad_phone = book(booking_client, SLOT, phone="12345")
    assert bad_phone.status_code == 422 and "手机号码" in bad_phone.json()["error"]["message"]


def test_lookup_change_and_cancel_by_reference_and_last_four(booking_client):
    reference = book(booking_client, SLOT).json()["reference"]
    wrong = booking_client.post("/api/booking/lookup", json={"reference": reference, "phone_last4": "0000"})
    assert wrong.status_code == 404 and "核对" in wrong.json()["error"]["message"]
    found = booking_client.post("/api/booking/lookup", json={"reference": reference, "phone_last4": "5678"})
    assert found.json()["appointments"][0]["reference"] == reference
    header = booking_client.get(f"/api/booking/appointments/{reference}", headers={"X-Phone-Last4": "5678"})
    assert header.status_code == 200
    moved = booking_client.patch(f"/api/booking/appointments/{reference}",
                                 json={"phone_last4": "5678", "start": "2026-12-03T14:30:00+08:00"})
    assert moved.status_code == 200 and moved.json()["start"] == "2026-12-03T14:30:00+08:00"
    old = booking_client.get("/api/booking/slots", params={"service": "mediation", "date": "2026-12-02",
                                                           "part": "morning"}).json()["slots"][0]
    assert old["start"] == SLOT and old["free"] == 2  # the old place went back
    gone = booking_client.delete(f"/api/booking/appointments/{reference}", headers={"X-Phone-Last4": "5678"})
    assert gone.json()["status"] == "cancelled"


def test_lookup_by_user_key_is_for_internal_callers_only(booking_client):
    key = f"wechat-{uuid.uuid4().hex}"
    reference = book(booking_client, SLOT, user_key=key).json()["reference"]
    mine = booking_client.post("/api/booking/lookup", json={"user_key": key}, headers=INTERNAL).json()
    assert [a["reference"] for a in mine["appointments"]] == [reference]
    others = booking_client.post("/api/booking/lookup", json={"user_key": "someone-else"}, headers=INTERNAL)
    assert others.json()["appointments"] == []
    # issue 12, row 1: a user key alone is no proof from outside
    outsider = booking_client.post("/api/booking/lookup", json={"user_key": key})
    assert outsider.status_code == 403 and "预约号和手机号后四位" in outsider.json()["error"]["message"]
    refused = booking_client.post(f"/api/booking/appointments/{reference}/cancel", json={"user_key": key})
    assert refused.status_code == 403
    cancel = booking_client.post(f"/api/booking/appointments/{reference}/cancel", json={"user_key": key},
                                 headers=INTERNAL)
    assert cancel.status_code == 200


def test_no_name_or_phone_in_urls_and_bodies_validated(booking_client):
    response = booking_client.post("/api/booking/appointments", json={**payload(SLOT), "service": "divorce"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "请求参数不正确"


def test_guessing_is_throttled_per_client_and_never_locks_the_owner_out(booking_client):
    """issue 12, row 5: failures count per client, wrong proof and no such reference answer alike."""
    reference = book(booking_client, SLOT).json()["reference"]
    answers = []
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        answers.append(booking_client.post("/api/booking/lookup", json={"reference": reference, "phone_last4": guess}))
        answers.append(booking_client.post("/api/booking/lookup", json={"reference": "999999", "phone_last4": guess}))
    assert {(a.status_code, a.json()["error"]["message"]) for a in answers} == {(404, NOT_FOUND)}
    blocked = booking_client.post("/api/booking/lookup", json={"reference": reference, "phone_last4": "5678"})
    assert blocked.status_code == 429 and "15分钟" in blocked.json()["error"]["message"]
    # the owner, from another client (here: the bot, on behalf of another user), still gets in
    owner = booking_client.post("/api/booking/lookup", json={"reference": reference, "phone_last4": "5678"},
                                headers={**INTERNAL, "X-Client-Key": "the-owner"})
    assert owner.status_code == 200 and owner.json()["appointments"][0]["reference"] == reference


