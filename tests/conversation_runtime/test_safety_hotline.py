"""A crisis on the 12368 hotline (connectors/hotline_12368.py) against a scripted bot: a person at once when
staffed, else the numbers read slowly (twice) and an SMS offer; never a keypad menu; crisis speech goes to the
bot before any local menu or confidence check."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conversation_runtime.test_hotline_connector import Bot, call_flow, make, parse, said
from tests.support.recording_service import RecordingService

CARD = {"type": "crisis", "kind": "suicide", "kinds": ["suicide"], "urgent": False, "title": "您的安全最重要",
        "numbers": [{"key": "mental_health", "number": "12356", "name": "全国心理援助热线"},
                    {"key": "ambulance", "number": "120", "name": "急救电话"},
                    {"key": "police", "number": "110", "name": "报警电话"}]}
CRISIS = [{"text": "听您这样说，我很担心您。"}, {"custom": CARD}]
SATURDAY_NIGHT = datetime(2026, 12, 5, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def service():
    fake = RecordingService(status=202, body=b'{"status": "outbox"}')
    yield fake
    fake.close()


def test_staffed_a_crisis_is_transferred_at_once_after_the_most_urgent_number():
    bot = Bot({"我不想活了": CRISIS})
    _, reply = call_flow(make(bot), ("start", None), ("speak", "我不想活了"))
    root = parse(reply)
    assert root.find("Dial") is not None and root.find("Dial").text == "+864380000000"
    text = said(root)
    assert text.startswith("听您这样说，我很担心您。") and "全国心理援助热线，幺，二，三，五，六。" in text
    assert "转接工作人员" in text and "按" not in text


def test_unstaffed_the_numbers_are_read_slowly_twice_and_an_sms_is_offered(service):
    bot = Bot({"我不想活了": CRISIS})
    hotline = make(bot, now=SATURDAY_NIGHT, staffed_hours=[("08:30", "11:30")], service_url=service.url)
    _, reply, sent = call_flow(hotline, ("start", None), ("speak", "我不想活了"), ("press", "1"))
    root = parse(reply)
    assert root.find("Dial") is None and root.find("Gather") is not None
    text = said(root)
    assert text.count("报警电话，幺，幺，零。") == 2 and text.count("急救电话，幺，二，零。") == 2
    assert "发短信" in text and "按1" in text
    assert "咨询诉讼程序" not in text and "还有别的需要吗" not in text  # no menu
    assert service.posts == [("/api/notifications/sms",
                              {"to": "+8613812345678", "kind": "safety_numbers", "ref": "suicide"})]
    assert "短信已经发出" in said(parse(sent)) and "还有别的需要吗" not in said(parse(sent))


def test_unstaffed_a_spoken_yes_sends_the_sms_and_a_no_does_not(service):
    for answer, expected in (("好的 发给我吧", 1), ("不用了", 0)):
        service.posts.clear()
        bot = Bot({"活着没意思": CRISIS})
        hotline = make(bot, now=SATURDAY_NIGHT, staffed_hours=[("08:30", "11:30")], service_url=service.url)
        *_, last = call_flow(hotline, ("start", None), ("speak", "活着没意思"), ("speak", answer))
        assert len(service.posts) == expected, answer
        assert "我还在" in said(parse(last))


def test_an_unanswered_transfer_reads_the_numbers_instead_of_the_callback_menu():
    bot = Bot({"他拿刀要砍我": CRISIS})
    *_, after = call_flow(make(bot), ("start", None), ("speak", "他拿刀要砍我"), ("dial", "no-answer"))
    text = said(parse(after))
    assert "工作人员暂时没有接听" in text and "报警电话，幺，幺，零。" in text
    assert "回电" not in text and "预约" not in text


def test_crisis_speech_skips_the_local_menus_and_a_low_confidence():
    bot = Bot({"我不想活了": CRISIS})
    hotline = make(bot, min_confidence=0.95)
    call_flow(hotline, ("start", None), ("speak", "我要转人工"))  # outside hours? staffed: transferred
    hotline.calls["CA1"].local_menu = "no_human"
    call_flow(hotline, ("speak", "我不想活了"))
    assert bot.received[-1][1] == "我不想活了"


def test_silence_after_a_crisis_outside_hours_ends_with_the_urgent_number():
    bot = Bot({"我不想活了": CRISIS})
    hotline = make(bot, now=SATURDAY_NIGHT, staffed_hours=[("08:30", "11:30")], max_reprompts=1)
    *_, end = call_flow(hotline, ("start", None), ("speak", "我不想活了"), ("silence", None), ("silence", None))
    root = parse(end)
    assert root.find("Hangup") is not None and "全国心理援助热线，幺，二，三，五，六。" in said(root)
