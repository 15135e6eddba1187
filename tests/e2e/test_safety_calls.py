"""A crisis on the 12368 hotline through the real stack: signed Twilio form posts in, TwiML out.

The shared stack has a person on duty at any hour (HOTLINE_TRANSFER_NUMBER, HOTLINE_STAFFED_HOURS=always): a crisis
is transferred at once. A second Rasa server (`unstaffed_rasa`) on the same action server, service center and
tracker store has no transfer number: the numbers are read slowly and an SMS is offered; a "1" sends it."""

import time

import httpx
import pytest

from tests.support.stack import TWILIO_AUTH_TOKEN, Stack
from tests.support.twilio_caller import TwilioCaller

# A representative subset of tests/data/safety_messages.jsonl, as a caller would say them (with recognition slips).
SPOKEN = [("他又打我了 我现在很害怕", "danger"), ("就是 那个 我老公 他 他拿到 要砍我", "danger"),
          ("官司打输了 欠了一屁股债 我不想活了", "suicide"), ("我吃了一瓶安眠要", "suicide"),
          ("我要跟他同归与尽", "threat"), ("我妈她 昏过去了 怎么叫都叫不醒", "medical")]
FIRST_NUMBER = {"danger": "报警电话，幺，幺，零。", "suicide": "全国心理援助热线，幺，二，三，五，六。",
                "threat": "全国心理援助热线，幺，二，三，五，六。", "medical": "急救电话，幺，二，零。"}
MENU_WORDS = ("按一咨询诉讼程序", "还有别的需要吗", "回电", "已经停下了")


@pytest.mark.parametrize(("speech", "kind"), SPOKEN)
def test_staffed_a_crisis_is_transferred_at_once(stack, speech, kind):
    caller = TwilioCaller(stack.rasa_url, TWILIO_AUTH_TOKEN)
    try:
        caller.start()
        reply = caller.speak(speech, confidence=0.6)
        assert reply.dial is not None and reply.dial.text == "+8643800012368", reply.xml
        assert FIRST_NUMBER[kind] in reply.said and "转接工作人员" in reply.said
        assert not any(word in reply.said for word in MENU_WORDS), reply.said
    finally:
        caller.close()


def test_a_crisis_in_the_middle_of_a_phone_booking(stack):
    caller = TwilioCaller(stack.rasa_url, TWILIO_AUTH_TOKEN)
    try:
        caller.start()
        asked = caller.press("3")  # 预约调解或立案: the booking form asks its first question
        assert asked.gather is not None and asked.dial is None, asked.xml
        reply = caller.speak("活着没意思")
        assert reply.dial is not None and "幺，二，三，五，六" in reply.said and "哪天" not in reply.said
    finally:
        caller.close()


@pytest.fixture(scope="module")
def unstaffed_rasa(stack, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("unstaffed-rasa")
    other = Stack(workdir, extra_env={
        "HOTLINE_TRANSFER_NUMBER": "", "HOTLINE_STAFFED_HOURS": "",
        "SERVICE_URL": stack.service_url, "SERVICE_PORT": str(stack.service_port),
        "ACTIONS_PORT": str(stack.actions_port), "ACTIONS_URL": stack.actions_url,
        "RASA_TRACKER_DB": stack.env["RASA_TRACKER_DB"],
    })
    other.start_rasa()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if other.processes["rasa"].poll() is not None:
            raise RuntimeError(f"unstaffed rasa exited; see {workdir / 'rasa.log'}")
        try:
            if httpx.get(f"{other.rasa_url}/webhooks/hotline_12368/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    yield other
    other.stop()


@pytest.mark.parametrize(("speech", "kind"), SPOKEN[::2] + SPOKEN[5:])
def test_unstaffed_the_numbers_are_read_slowly_and_sent_by_sms_when_asked(stack, unstaffed_rasa, speech, kind):
    caller = TwilioCaller(unstaffed_rasa.rasa_url, TWILIO_AUTH_TOKEN)
    try:
        caller.start()
        reply = caller.speak(speech)
        assert reply.dial is None and reply.gather is not None, reply.xml
        said = reply.said
        assert said.count(FIRST_NUMBER[kind]) == 2, said  # every number twice, digit by digit
        assert "发短信" in said and not any(word in said for word in MENU_WORDS), said
        sent = caller.press("1")
        assert "短信已经发出" in sent.said and not any(word in sent.said for word in MENU_WORDS)
        outbox = httpx.get(f"{stack.service_url}/api/staff/outbox", headers=stack.staff_headers()).json()["messages"]
        mine = [m for m in outbox if m["purpose"] == "safety_numbers" and m["to"].endswith(caller.caller[-4:])]
        assert mine and "110" in mine[0]["body"]
    finally:
        caller.close()


def test_unstaffed_a_no_sends_nothing_and_keeps_listening(stack, unstaffed_rasa):
    caller = TwilioCaller(unstaffed_rasa.rasa_url, TWILIO_AUTH_TOKEN)
    try:
        caller.start()
        caller.speak("我不想活了")
        reply = caller.speak("不用了")
        assert "不发短信" in reply.said and reply.gather is not None
        follow_up = caller.speak("我还是很害怕")
        assert "我还在这里" in follow_up.said and not any(word in follow_up.said for word in MENU_WORDS)
    finally:
        caller.close()
