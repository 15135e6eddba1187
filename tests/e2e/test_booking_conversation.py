"""Booking end to end over Rasa's REST channel on the real stack: book, staff list, look up, change, cancel,
bad days and numbers, and a look-up by reference + last four digits from another conversation."""

import re

import httpx


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons", [])]


def card(messages: list[dict]) -> dict | None:
    return next((m["custom"] for m in messages if isinstance(m.get("custom"), dict)
                 and m["custom"].get("type") == "booking_confirmation"), None)


def book_mediation(stack, sender: str) -> dict:
    text = stack.texts(stack.say(sender, "我想预约调解"))
    assert "哪天" in text, text
    offers = stack.say(sender, "下周三上午")
    assert "1、" in stack.texts(offers), stack.texts(offers)
    assert buttons(offers)[0]["payload"] == "1"
    assert "手机" in stack.texts(stack.say(sender, "1"))
    assert "11位" in stack.texts(stack.say(sender, "12345"))  # a bad number is asked again
    asked = stack.texts(stack.say(sender, "13812345678"))
    assert "验证码" in asked and "尾号5678" in asked, asked  # the number is verified before it gets anything
    assert "称呼" in stack.texts(stack.say(sender, stack.sms_code("5678")))
    assert "一句话" in stack.texts(stack.say(sender, "王芳"))
    read_back = stack.texts(stack.say(sender, "邻里纠纷"))
    assert "请核对" in read_back and "尾号5678" in read_back and "预约人姓王" in read_back
    done = stack.say(sender, "/affirm")
    confirmation = card(done)
    assert confirmation and re.fullmatch(r"\d{6}", confirmation["reference"]), stack.texts(done)
    text = stack.texts(done)
    assert "预约成功" in text and " ".join(confirmation["reference"]) in text and "请带" in text
    return confirmation


def test_book_look_up_change_and_cancel(stack, sender):
    confirmation = book_mediation(stack, sender)
    reference, day = confirmation["reference"], confirmation["start"][:10]

    listed = httpx.get(f"{stack.service_url}/api/staff/bookings", params={"day": day},
                       headers=stack.staff_headers()).json()["bookings"]
    mine = [b for b in listed if b["reference"] == reference]
    assert mine and mine[0]["phone"] == "138****5678" and mine[0]["name"] == "王芳"
    outbox = httpx.get(f"{stack.service_url}/api/staff/outbox", headers=stack.staff_headers()).json()["messages"]
    assert any(reference in m["body"] for m in outbox)

    looked_up = stack.texts(stack.say(sender, "查一下我的预约"))
    assert " ".join(reference) in looked_up and "已预约" in looked_up

    offers = stack.texts(stack.say(sender, "改到后天"))
    assert "1、" in offers, offers
    moved = stack.say(sender, "1")
    assert "改约成功" in stack.texts(moved), stack.texts(moved)
    assert card(moved)["reference"] == reference

    asked = stack.texts(stack.say(sender, "取消预约"))
    assert "确定要取消" in asked
    assert "已取消" in stack.texts(stack.say(sender, "/affirm"))

    # Another conversation (no shared user key) proves ownership with the reference and last four digits.
    other = sender + "-other"
    assert "预约号" in stack.texts(stack.say(other, "查一下我的预约"))
    assert "后四位" in stack.texts(stack.say(other, reference))
    wrong = stack.texts(stack.say(other, "0000"))
    assert "核对" in wrong
    stack.say(other, reference)
    status = stack.texts(stack.say(other, "5678"))
    assert "已取消" in status


def test_bad_days_are_explained(stack, sender):
    stack.say(sender, "我想预约立案")
    assert "已经过去" in stack.texts(stack.say(sender, "昨天"))
    assert "天以内" in stack.texts(stack.say(sender, "明年3月5号"))
    sunday = stack.texts(stack.say(sender, "下周日"))
    assert "周末" in sunday and "1、" in sunday
    assert "预约先不办了" in stack.texts(stack.say(sender, "算了不约了"))


def test_entry_with_the_service_preselected(stack, sender):
    text = stack.texts(stack.say(sender, '/book_appointment{"booking_service":"judicial_confirmation"}'))
    assert "哪天" in text and "哪一项" not in text


def test_the_service_answered_by_word_or_number(stack, sender):
    asked = stack.say(sender, "我要预约")
    assert "哪一项" in stack.texts(asked) and len(buttons(asked)) == 4
    assert "哪天" in stack.texts(stack.say(sender, "司法确认"))
    assert "预约先不办了" in stack.texts(stack.say(sender, "算了"))
    other = sender + "-keypad"
    stack.say(other, "我要预约")
    assert "哪天" in stack.texts(stack.say(other, "2"))


def test_a_place_taken_before_confirming_offers_other_times(stack, sender):
    """Someone else takes the last place between the offer and the confirmation: 已约满, new offers, booked."""
    import uuid

    stack.say(sender, "我想预约跨域立案")
    assert "1、" in stack.texts(stack.say(sender, "下周二上午"))
    day = httpx.post(f"{stack.service_url}/api/booking/parse-day", json={"text": "下周二上午"}).json()
    first = httpx.get(f"{stack.service_url}/api/booking/slots",
                      params={"service": "cross_region_filing", "date": day["date"], "part": "morning"}).json()
    stack.say(sender, "1")
    stack.say(sender, "13700002222")
    stack.say(sender, stack.sms_code("2222"))
    stack.say(sender, "赵六")
    assert "请核对" in stack.texts(stack.say(sender, "跳过"))
    taken = httpx.post(f"{stack.service_url}/api/booking/appointments",
                       json={"service": "cross_region_filing", "start": first["slots"][0]["start"], "name": "别人",
                             "phone_verification": stack.verified_phone("13600003333")},
                       headers={"Idempotency-Key": uuid.uuid4().hex})
    assert taken.status_code == 201  # capacity 1: the slot is now full
    full = stack.texts(stack.say(sender, "/affirm"))
    assert "已约满" in full and "1、" in full, full
    assert "请核对" in stack.texts(stack.say(sender, "1"))
    done = stack.say(sender, "/affirm")
    assert "预约成功" in stack.texts(done) and card(done)["start"] != first["slots"][0]["start"]


def test_staff_page_lists_and_checks_in(stack):
    """The booking desk of /staff in a real browser: a filing clerk logs in (cookie), lists and checks in."""
    import shutil
    import uuid

    import pytest

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Chromium is missing (make browser)")
    from playwright.sync_api import sync_playwright

    day = httpx.post(f"{stack.service_url}/api/booking/parse-day", json={"text": "下周四"}).json()["date"]
    slot = httpx.get(f"{stack.service_url}/api/booking/slots",
                     params={"service": "filing", "date": day}).json()["slots"][0]
    booked = httpx.post(f"{stack.service_url}/api/booking/appointments",
                        json={"service": "filing", "start": slot["start"], "name": "李四",
                              "phone_verification": stack.verified_phone("13900001234")},
                        headers={"Idempotency-Key": uuid.uuid4().hex}).json()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        urls = []
        page.on("request", lambda request: urls.append(request.url))
        stack.create_staff("e2e-clerk", "filing_clerk")
        page.goto(f"{stack.service_url}/staff#bookings")
        page.fill("#login-username", "e2e-clerk")
        page.fill("#login-password", stack.staff_password)
        page.get_by_role("button", name="登录").click()
        page.fill("#desk-day", slot["start"][:10])
        page.get_by_role("button", name="刷新").click()
        row = page.locator("tr", has_text=booked["reference"])
        row.wait_for(timeout=10_000)
        assert "139****1234" in row.inner_text() and "李四" in row.inner_text()
        row.get_by_role("button", name="签到").click()
        page.locator("tr", has_text=booked["reference"]).filter(has_text="已签到").wait_for(timeout=10_000)
        browser.close()
    assert not any(stack.staff_password in url or stack.staff_token in url for url in urls)
