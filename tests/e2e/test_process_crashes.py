"""kill -9 each process of the supervised stack (`make run`'s supervisord) in the middle of conversations.

For each: the other channels (REST, web page, WeChat, the phone) answer politely within a second, supervisord
brings the process back by itself (seconds measured and printed; the action server, service center and fallback
within 30 s), its crash is counted in /health, and the conversation, a booking form included, goes on where it
was. While Rasa is down the 12368 fallback, a process of its own, answers Twilio's signed requests, and the web
page shows its banner and comes back by itself.

One supervised stack for the module (about a minute to start; Rasa's restart is the longest step).
"""

import time

import httpx
import pytest

from tests.e2e.test_web_chat import browser, expect, open_chat, page, send, shot  # noqa: F401
from tests.support.fake_wechat import FakeWeChat
from tests.support.stack import TWILIO_AUTH_TOKEN, started
from tests.support.supervised import SupervisedStack
from tests.support.twilio_caller import TwilioCaller

FALLBACK_PATH = "/api/hotline/fallback"
ANSWER_WITHIN = 1.0  # seconds: what "the other channels keep answering" means
BACK_WITHIN = 30.0  # seconds for the action server, the service center and the fallback
RASA_BACK_WITHIN = 150.0  # Rasa loads TensorFlow and the model again (docs/deployment.md has the figures)


@pytest.fixture(scope="module")
def supervised(tmp_path_factory):
    running = started(SupervisedStack(tmp_path_factory.mktemp("supervised")))
    yield running
    running.stop()


def timed(call):
    started_at = time.monotonic()
    result = call()
    return result, time.monotonic() - started_at


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def crashes(stack, name: str) -> int:
    return stack.health()["supervision"]["processes"][name]["crashes"]


def handoff(messages: list[dict]) -> bool:
    return any(isinstance(m.get("custom"), dict) and m["custom"].get("handoff") for m in messages)


def signed_fallback(stack, caller: TwilioCaller, query: str = "", **extra: str):
    url = stack.fallback_url + FALLBACK_PATH + query
    params = caller.params(ErrorCode="11200", ErrorUrl=stack.rasa_url + "/webhooks/hotline_12368/webhook", **extra)
    return caller.post(url, params)


def wechat(stack, path: str, **kwargs) -> httpx.Response:
    return httpx.post(f"{stack.rasa_url}/webhooks/wechat/{path}", timeout=15, **kwargs)


def test_action_server_killed_mid_booking(supervised, sender):
    assert "哪天" in supervised.texts(supervised.say(sender, "我想预约调解"))
    with FakeWeChat(port=supervised.wechat_port):  # a mini-program user, logged in before the crash
        token = wechat(supervised, "login", json={"code": f"ok-crash_{sender[-6:]}"}).json()["token"]
    pid = supervised.kill9("actions")

    reply, seconds = timed(lambda: supervised.say(sender, "下周三上午"))
    text = supervised.texts(reply)
    print(f"\nactions down: web turn answered in {seconds:.2f}s")
    assert seconds < ANSWER_WITHIN
    assert "抱歉" in text and "保留" in text and "再说一遍" in text and "12368" in text, text
    assert handoff(reply) and "Traceback" not in text

    reply, seconds = timed(lambda: wechat(supervised, "webhook", json={"message": "我想预约调解"},
                                          headers={"Authorization": f"Bearer {token}"}))
    messages = reply.json()["messages"]
    print(f"actions down: WeChat turn answered in {seconds:.2f}s")
    assert seconds < ANSWER_WITHIN and any(m["type"] == "handoff" for m in messages)
    assert any(m["type"] == "text" and "抱歉" in m["text"] for m in messages)

    phone = TwilioCaller(supervised.rasa_url, TWILIO_AUTH_TOKEN)  # a caller meanwhile: apology, then a person
    try:
        phone.start()
        said, seconds = timed(lambda: phone.speak("我想预约调解"))
        print(f"actions down: phone turn answered in {seconds:.2f}s")
        assert seconds < ANSWER_WITHIN and "抱歉" in said.said and said.dial is not None
    finally:
        phone.close()

    back = supervised.wait_restarted("actions", pid, lambda: answers(supervised.actions_url + "/health"))
    print(f"actions back in {back:.1f}s")
    assert back < BACK_WITHIN
    # the form was left as it was: the same answer now gets the slots of that day
    offers = supervised.texts(supervised.say(sender, "下周三上午"))
    assert "1、" in offers, offers
    assert crashes(supervised, "actions") >= 1


def test_service_center_killed(supervised, sender):
    pid = supervised.kill9("service")
    greeting, seconds = timed(lambda: supervised.say(sender, "你好"))
    print(f"\nservice center down: chat turn answered in {seconds:.2f}s")
    assert seconds < ANSWER_WITHIN and supervised.texts(greeting)
    question, seconds = timed(lambda: supervised.say(sender, "立案需要带什么材料"))
    text = supervised.texts(question)
    print(f"service center down: guide question answered in {seconds:.2f}s")
    assert seconds < ANSWER_WITHIN + 1 and text and "Traceback" not in text, text
    caller = TwilioCaller(supervised.rasa_url, TWILIO_AUTH_TOKEN)
    try:  # the fallback lives on its own: it answers while the service center is down
        assert signed_fallback(supervised, caller).dial is not None
    finally:
        caller.close()

    back = supervised.wait_restarted("service", pid, lambda: answers(supervised.service_url + "/health"))
    print(f"service center back in {back:.1f}s")
    assert back < BACK_WITHIN
    assert crashes(supervised, "service") >= 1


def test_hotline_fallback_killed(supervised):
    pid = supervised.kill9("hotline_fallback")
    back = supervised.wait_restarted("hotline_fallback", pid, lambda: answers(supervised.fallback_url + "/health"))
    print(f"\nhotline fallback back in {back:.1f}s")
    assert back < BACK_WITHIN
    assert crashes(supervised, "hotline_fallback") >= 1


def test_rasa_killed_mid_booking(supervised, sender, page):  # noqa: F811 - the web chat tests' page fixture
    assert "哪天" in supervised.texts(supervised.say(sender, "我想预约调解"))
    assert "1、" in supervised.texts(supervised.say(sender, "下周三上午"))
    open_chat(page, supervised)  # a litigant on the web page at the same time
    session_id = page.evaluate("JSON.parse(localStorage.getItem('court-chat:v1')).sessionId")
    pid = supervised.kill9("rasa")
    expect(page.get_by_role("alert")).to_contain_text("暂时连不上服务器", timeout=10_000)
    expect(page.get_by_role("alert")).to_contain_text("12368")
    shot(page, "20-rasa-down-banner")

    caller = TwilioCaller(supervised.rasa_url, TWILIO_AUTH_TOKEN)
    try:
        reply, seconds = timed(lambda: signed_fallback(supervised, caller))
        print(f"\nRasa down: the 12368 fallback answered in {seconds:.2f}s")
        assert seconds < ANSWER_WITHIN and reply.status == 200
        assert "抱歉" in reply.said and reply.dial is not None and reply.dial.text == "+8643800012368"
        after = signed_fallback(supervised, caller, "?after=dial", DialCallStatus="busy")  # the <Dial> result
        assert "暂时无法接听" in after.said and after.hangup
        unsigned = httpx.post(supervised.fallback_url + FALLBACK_PATH, data=caller.params(), timeout=5)
        assert unsigned.status_code == 403
    finally:
        caller.close()
    health = supervised.health()  # the service center tells staff what is down
    assert health["status"] == "degraded" and health["checks"]["rasa"]["status"] == "down"
    assert health["checks"]["hotline_fallback"]["status"] == "ok"

    back = supervised.wait_restarted("rasa", pid, lambda: answers(supervised.rasa_url + "/"),
                                     timeout=RASA_BACK_WITHIN)
    print(f"Rasa back (model loaded, answering) in {back:.1f}s")
    # the page reconnects by itself, in the same conversation
    expect(page.get_by_role("alert")).to_have_count(0, timeout=30_000)
    send(page, "你好")
    assert page.evaluate("JSON.parse(localStorage.getItem('court-chat:v1')).sessionId") == session_id
    shot(page, "21-rasa-back")
    # the booking form comes back from the SQLite tracker store: choosing slot 1 asks for the phone number
    assert "手机" in supervised.texts(supervised.say(sender, "1"))
    assert crashes(supervised, "rasa") >= 1
    assert supervised.health()["status"] == "ok"
