"""A booking conversation for a day in a year whose official holiday arrangement is not in the system (2027, past
chinesecalendar 1.11.0's data), on Rasa's REST channel and by a 12368 call: it completes, and the litigant is told
the holiday note. The stack runs with the booking clock pinned at 28 December 2026 (BOOKING_NOW)."""

import httpx
import pytest

from tests.e2e.test_booking_conversation import card
from tests.e2e.test_hotline_calls import drive
from tests.support.stack import TWILIO_AUTH_TOKEN, Stack, started
from tests.support.twilio_caller import TwilioCaller

NOTE = "节假日安排以国务院公告和法院通知为准"


@pytest.fixture(scope="module")
def late_december(tmp_path_factory) -> Stack:
    running = started(Stack(tmp_path_factory.mktemp("stack-2027"), extra_env={"BOOKING_NOW": "2026-12-28T09:00:00"}))
    yield running
    running.stop()


def test_a_2027_day_is_booked_by_conversation_with_the_provisional_note(late_december, sender):
    stack = late_december
    assert "哪天" in stack.texts(stack.say(sender, "我想预约调解"))
    offers = stack.texts(stack.say(sender, "1月5号上午"))
    assert "1、1月5日（周二）08:30" in offers and NOTE in offers, offers
    assert "手机" in stack.texts(stack.say(sender, "1"))
    assert "验证码" in stack.texts(stack.say(sender, "13812345678"))
    assert "称呼" in stack.texts(stack.say(sender, stack.sms_code("5678")))
    assert "一句话" in stack.texts(stack.say(sender, "王芳"))
    assert "请核对" in stack.texts(stack.say(sender, "跳过"))
    done = stack.say(sender, "/affirm")
    text = stack.texts(done)
    confirmation = card(done)
    assert "预约成功" in text and NOTE in text, text
    assert confirmation["start"] == "2027-01-05T08:30:00+08:00"

    status = httpx.get(f"{stack.service_url}/api/staff/calendar/status", headers=stack.staff_headers()).json()
    assert status["missing"] == [2027]
    sms = httpx.get(f"{stack.service_url}/api/staff/outbox", headers=stack.staff_headers()).json()["messages"]
    assert any(confirmation["reference"] in m["body"] and NOTE in m["body"] for m in sms)


def test_a_2027_day_is_booked_by_phone_with_the_provisional_note(late_december):
    call = TwilioCaller(late_december.rasa_url, TWILIO_AUTH_TOKEN)
    try:
        call.start()
        reply = call.press("3")
        answers = {"哪天": "1月5号上午", "确认预约": "1", "尾号": "1", "手机": "13812345678#", "姓名": "张三",
                   "名字": "张三", "事由": "借款纠纷"}
        done = drive(call, reply, answers, until=("预约成功",))
        assert "预约成功" in done.said, call.transcript
        assert "国务院公告和法院通知为准" in done.said and "一月五日" in done.said, done.said
    finally:
        call.close()
