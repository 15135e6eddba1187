"""The 12368 call logic (connectors/hotline_12368.py) against a scripted bot: no Rasa model, no network."""

import asyncio
import xml.etree.ElementTree as ET
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from twilio.request_validator import RequestValidator

from connectors.hotline_12368 import CallState, Hotline, Hotline12368Input, HotlineSettings, parse_hours

SALT = "test-hotline-user-key-salt"

BASE = "https://court.example.cn/webhooks/hotline_12368"
MENU_BUTTONS = [{"title": "诉前调解", "payload": "/book_appointment{\"booking_service\":\"mediation\"}"},
                {"title": "立案", "payload": "/book_appointment{\"booking_service\":\"filing\"}"}]
HANDOFF = [{"text": "好的，正在为您转接人工服务，请稍候。"}, {"custom": {"handoff": True}}]


class Bot:
    """Records what reaches Rasa and answers from a script (text -> messages), optionally slowly."""

    def __init__(self, script=None, delay: float = 0.0, fail: bool = False):
        self.script = script or {}
        self.delay, self.fail = delay, fail
        self.received: list[tuple[str, str, dict]] = []

    async def __call__(self, call: CallState, text: str):
        self.received.append((call.call_sid, text, hotline_under_test.metadata(call)))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("rasa is broken")
        if text == "/human_handoff":
            return HANDOFF
        return self.script.get(text, [{"text": f"您说的是{text}。"}])


hotline_under_test: Hotline


def make(bot: Bot, **overrides) -> Hotline:
    global hotline_under_test
    # service_url: a closed port, so callback and SMS requests fail fast and honestly
    settings = HotlineSettings(auth_token="t", transfer_number="+864380000000", staffed_hours=None,
                               hints=["立案", "诉前调解"], reply_deadline=0.5, max_holds=2,
                               service_url="http://127.0.0.1:9")
    now = overrides.pop("now", None)
    for key, value in overrides.items():
        setattr(settings, key, value)
    hotline_under_test = Hotline(settings, bot, now=(lambda: now) if now else None)
    return hotline_under_test


def params(sid="CA1", **extra):
    return {"CallSid": sid, "From": "+8613812345678", "To": "+8612368", "CallStatus": "in-progress", **extra}


def parse(twiml: str) -> ET.Element:
    return ET.fromstring(twiml.encode())  # noqa: S314 - our own TwiML, in a test


def said(root: ET.Element) -> str:
    return "".join(el.text or "" for el in root.iter("Say"))


def run(coro):
    return asyncio.run(coro)


def call_flow(hotline: Hotline, *steps):
    """Runs webhook steps in one event loop (pending replies live across requests, as in Sanic)."""

    async def go():
        results = []
        for kind, value in steps:
            if kind == "start":
                results.append(await hotline.webhook(params(), BASE))
            elif kind == "speak":
                results.append(await hotline.webhook(params(SpeechResult=value, Confidence="0.9"), BASE))
            elif kind == "press":
                results.append(await hotline.webhook(params(Digits=value), BASE))
            elif kind == "silence":
                results.append(await hotline.webhook(params(), BASE, "silence"))
            elif kind == "collect":
                results.append(await hotline.collect(params(), BASE))
            elif kind == "dial":
                results.append(await hotline.dial_status(params(DialCallStatus=value), BASE))
            elif kind == "status":
                results.append(await hotline.status(params(CallStatus=value)))
        return results

    return asyncio.run(go())


def test_greeting_offers_the_menu_in_a_mandarin_gather_and_redirects():
    bot = Bot()
    (twiml,) = call_flow(make(bot), ("start", None))
    root = parse(twiml)
    gather = root.find("Gather")
    assert gather.get("input") == "speech dtmf"
    assert gather.get("language") == "cmn-Hans-CN"
    assert "立案" in gather.get("hints")
    assert gather.get("numDigits") == "1" and gather.get("bargeIn") == "true"
    assert gather.get("action") == f"{BASE}/webhook"
    say = gather.find("Say")
    assert say.get("voice") == "Polly.Zhiyu-Neural" and say.get("language") == "cmn-CN"
    assert "按一咨询诉讼程序" in say.text and "按零转人工" in say.text and "幺二三六八" in say.text
    assert root[-1].tag == "Redirect" and root[-1].text == f"{BASE}/webhook?event=silence&n=1"
    assert bot.received == []  # the greeting is the connector's own


def test_keypad_maps_to_the_main_menu_then_to_the_buttons_just_spoken():
    bot = Bot({"/book_appointment": [{"text": "请选择服务：", "buttons": MENU_BUTTONS}]})
    _, booking, filing = call_flow(make(bot), ("start", None), ("press", "3"), ("press", "2"))
    assert [text for _, text, _ in bot.received] == ["/book_appointment", MENU_BUTTONS[1]["payload"]]
    assert "说诉前调解或按一；说立案或按二" in said(parse(booking))
    assert "您说的是" in said(parse(filing))


def test_spoken_choice_of_a_numbered_button():
    bot = Bot({"/book_appointment": [{"text": "请选择服务", "buttons": MENU_BUTTONS}]})
    call_flow(make(bot), ("start", None), ("press", "3"), ("speak", "第一个"))
    assert bot.received[-1][1] == MENU_BUTTONS[0]["payload"]


def test_metadata_carries_channel_caller_and_a_stable_caller_key():
    bot = Bot()
    hotline = make(bot)
    call_flow(hotline, ("start", None), ("speak", "立案需要什么材料"))
    sender, text, metadata = bot.received[0]
    assert sender == "CA1" and text == "立案需要什么材料"
    assert metadata["channel"] == "hotline_12368" and metadata["caller_phone"] == "+8613812345678"
    assert metadata["user_key"] == hotline.user_key("+8613812345678") != hotline.user_key("+8613900000000")
    assert "13812345678" not in metadata["user_key"]


@pytest.mark.parametrize("how", [("press", "0"), ("speak", "我要转人工"), ("speak", "人工服务")])
def test_zero_or_asking_for_a_person_transfers_with_dial(how):
    bot = Bot()
    _, twiml = call_flow(make(bot), ("start", None), how)
    root = parse(twiml)
    assert bot.received[-1][1] == "/human_handoff"
    dial = root.find("Dial")
    assert dial is not None and dial.text == "+864380000000"
    assert dial.get("action") == f"{BASE}/dial-status"
    assert "转接人工" in said(root)


def test_unanswered_transfer_falls_back_to_a_callback_offer():
    bot = Bot()
    results = call_flow(make(bot), ("start", None), ("press", "0"), ("dial", "no-answer"), ("press", "1"))
    fallback = parse(results[2])
    assert "暂时无法接听" in said(fallback) and "回电" in said(fallback)
    assert fallback.find("Gather") is not None and fallback[-1].tag == "Redirect"
    # the callback request reaches the service center (unreachable here: the caller is told honestly)
    assert "回电" in said(parse(results[3]))


def test_answered_transfer_ends_politely():
    bot = Bot()
    results = call_flow(make(bot), ("start", None), ("press", "0"), ("dial", "completed"))
    root = parse(results[2])
    assert root[-1].tag == "Hangup"


def test_outside_staffed_hours_no_dial_but_callback_or_booking():
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    bot = Bot({"/book_appointment": [{"text": "请选择服务", "buttons": MENU_BUTTONS}]})
    hotline = make(bot, staffed_hours=[("08:30", "11:30")], now=saturday)
    assert not hotline.human_available()
    results = call_flow(hotline, ("start", None), ("speak", "转人工"), ("press", "2"))
    root = parse(results[1])
    assert root.find("Dial") is None
    assert "不是人工服务时间" in said(root) and "请以法院公告为准" in said(root)
    assert "按一" in said(root) and "按二" in said(root)
    assert "八点半" not in said(root)  # unconfirmed hours are never stated
    assert bot.received[-1][1] == "/book_appointment"
    hotline.settings.staffed_hours_confirmed = True
    assert "人工服务时间为工作日上午八点半到上午十一点半" in said(parse(call_flow(hotline, ("speak", "转人工"))[0]))


def test_staffed_hours_on_a_weekday():
    monday_morning = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    monday_noon = datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    hours = parse_hours("08:30-11:30,13:30-16:30")
    assert make(Bot(), staffed_hours=hours, now=monday_morning).human_available()
    assert not make(Bot(), staffed_hours=hours, now=monday_noon).human_available()
    assert not make(Bot(), transfer_number="", now=monday_morning).human_available()


def test_silence_reprompts_twice_then_hands_off_never_loops():
    bot = Bot()
    results = call_flow(make(bot), ("start", None), ("silence", None), ("silence", None), ("silence", None))
    for reprompt in results[1:3]:
        root = parse(reprompt)
        assert "您还在吗" in said(root) and root.find("Gather") is not None
    assert parse(results[3]).find("Dial") is not None
    assert [text for _, text, _ in bot.received] == ["/human_handoff"]


def test_silence_without_a_person_says_goodbye_and_hangs_up():
    results = call_flow(make(Bot(), transfer_number=""), ("start", None), *[("silence", None)] * 3)
    root = parse(results[3])
    assert root[-1].tag == "Hangup" and "再见" in said(root) and root.find("Gather") is None


def test_silence_count_travels_in_the_redirect_url_so_it_never_loops_even_without_state():
    hotline = make(Bot(), transfer_number="")
    results = call_flow(hotline, ("start", None), ("silence", None))
    assert parse(results[1])[-1].text.endswith("event=silence&n=2")
    hotline.calls.clear()  # e.g. another server, or a restart: the URL still counts
    final = run(hotline.webhook(params(), BASE, "silence", 3))
    assert parse(final)[-1].tag == "Hangup"


def test_a_call_this_process_never_saw_reads_its_buttons_from_the_tracker_store():
    bot = Bot()
    hotline = make(bot)

    async def recall(sender):
        assert sender == "CA1"
        return MENU_BUTTONS

    hotline.recall = recall
    run(hotline.webhook(params(Digits="2"), BASE))
    assert bot.received[-1][1] == MENU_BUTTONS[1]["payload"]


def test_input_resets_the_silence_count():
    results = call_flow(make(Bot()), ("start", None), ("silence", None), ("silence", None), ("speak", "你好"),
                        ("silence", None))
    assert "您还在吗" in said(parse(results[4]))


def test_slow_bot_gets_a_holding_phrase_then_the_reply_is_collected():
    bot = Bot({"诉讼费怎么交": [{"text": "诉讼费可以网上交。"}]}, delay=0.8)
    results = call_flow(make(bot), ("start", None), ("speak", "诉讼费怎么交"), ("collect", None))
    holding = parse(results[1])
    assert "请稍等" in said(holding) and holding[-1].tag == "Redirect"
    assert holding[-1].text == f"{BASE}/collect"
    assert "诉讼费可以网上交" in said(parse(results[2]))
    assert len(bot.received) == 1  # the turn ran once


def test_a_bot_that_never_answers_ends_in_apology_and_transfer():
    bot = Bot(delay=5)
    results = call_flow(make(bot), ("start", None), ("speak", "你好"), ("collect", None), ("collect", None))
    assert "请稍" in said(parse(results[2]))
    final = parse(results[3])
    assert "抱歉" in said(final) and final.find("Dial") is not None


@pytest.mark.parametrize("bot", [Bot(fail=True), Bot({"你好": []})])
def test_a_failing_or_silent_backend_gets_apology_and_transfer(bot):
    _, twiml = call_flow(make(bot), ("start", None), ("speak", "你好"))
    root = parse(twiml)
    assert "抱歉" in said(root) and root.find("Dial") is not None


def test_goodbye_hangs_up():
    bot = Bot({"再见": [{"text": "好的，再见。如需帮助，欢迎随时再来。"}]})
    _, twiml = call_flow(make(bot), ("start", None), ("speak", "再见"))
    assert parse(twiml)[-1].tag == "Hangup"


def test_long_answers_are_trimmed_and_the_sms_offer_is_the_actions_button():
    """One SMS path (issue 11): the guide action offers it as a button, which the caller picks like any other."""
    long = [{"text": "立案需要准备起诉状和身份证明。" * 20},
            {"custom": {"type": "guide_answer", "entry_id": "filing-materials", "title": "立案材料"}},
            {"text": "需要的话，我可以把详细说明发短信给您。",
             "buttons": [{"title": "发短信给我", "payload": "/request_guide_sms"}]}]
    bot = Bot({"立案要什么": long, "/request_guide_sms": [{"text": "好的，详细说明已经用短信发到您的手机上了。"}]})
    hotline = make(bot, text_limit=60)
    _, answer, sent = call_flow(hotline, ("start", None), ("speak", "立案要什么"), ("press", "1"))
    text = said(parse(answer))
    assert "说发短信给我或按一" in text and "按九" not in text
    assert bot.received[-1][1] == "/request_guide_sms"
    assert "短信发到您的手机上" in said(parse(sent))


def test_hang_up_restarts_the_conversation_and_forgets_the_call():
    bot = Bot()
    hotline = make(bot)
    results = call_flow(hotline, ("start", None), ("speak", "我要预约"), ("status", "completed"))
    assert results[2] is True
    assert bot.received[-1][1] == "/restart"
    assert "CA1" not in hotline.calls
    assert call_flow(hotline, ("status", "ringing")) == [False]


def test_request_asking_for_a_number_accepts_several_digits():
    bot = Bot({"/book_appointment": [{"text": "请输入您的手机号码"}]})
    results = call_flow(make(bot), ("start", None), ("press", "3"), ("press", "13812345678#"))
    gather = parse(results[1]).find("Gather")
    assert gather.get("finishOnKey") == "#" and gather.get("numDigits") is None
    assert bot.received[-1][1] == "13812345678"


def test_a_single_key_answers_a_number_question_instead_of_choosing_from_the_menu():
    bot = Bot({"/book_appointment": [{"text": "请输入预约号后四位"}]})
    call_flow(make(bot), ("start", None), ("press", "3"), ("press", "1#"))
    assert bot.received[-1][1] == "1"


# ---------------------------------------------------------------- the signature check

def request(url: str, path: str, query: str = "", signature: str = ""):
    return SimpleNamespace(url=url, path=path, query_string=query, headers={"X-Twilio-Signature": signature})


def test_signature_is_checked_against_the_public_url():
    settings = HotlineSettings(auth_token="secret-token", user_key_salt=SALT,
                               public_url="https://court.example.cn/rasa")
    channel = Hotline12368Input(settings)
    form = params(SpeechResult="你好")
    public = "https://court.example.cn/rasa/webhooks/hotline_12368/webhook?event=silence"
    good = RequestValidator("secret-token").compute_signature(public, form)
    seen = request("http://10.0.0.5:5005/webhooks/hotline_12368/webhook?event=silence",
                   "/webhooks/hotline_12368/webhook", "event=silence", good)
    assert channel.public_url(seen) == public
    assert channel.signed(seen, form)
    assert not channel.signed(seen, {**form, "SpeechResult": "转人工"})  # tampered body
    assert not channel.signed(request(seen.url, seen.path, seen.query_string, "bad"), form)
    assert not channel.signed(request(seen.url, seen.path, seen.query_string, ""), form)
    assert channel.base_url(seen) == "https://court.example.cn/rasa/webhooks/hotline_12368"


def test_signature_check_is_off_only_when_explicitly_disabled(monkeypatch):
    monkeypatch.delenv("HOTLINE_VALIDATE_SIGNATURE", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    monkeypatch.setenv("HOTLINE_USER_KEY_SALT", SALT)
    channel = Hotline12368Input(HotlineSettings.load())
    assert channel.settings.validate_signature
    assert not channel.signed(request("http://x/webhook", "/webhook"), params())  # no token: refuse all
    monkeypatch.setenv("HOTLINE_VALIDATE_SIGNATURE", "false")
    assert Hotline12368Input(HotlineSettings.load()).signed(request("http://x/webhook", "/webhook"), params())


def test_settings_from_environment_and_profile(monkeypatch):
    monkeypatch.setenv("HOTLINE_GATHER_LANGUAGE", "zh-CN")
    monkeypatch.setenv("HOTLINE_VOICE", "Polly.Zhiyu")
    monkeypatch.setenv("HOTLINE_STAFFED_HOURS", "always")
    monkeypatch.delenv("HOTLINE_TRANSFER_NUMBER", raising=False)
    settings = HotlineSettings.load({"reply_deadline": "5"})
    assert settings.gather_language == "zh-CN" and settings.voice == "Polly.Zhiyu"
    assert settings.staffed_hours is None and settings.reply_deadline == 5.0
    assert settings.transfer_number == ""  # the profile's number is unconfirmed: never dialled
    assert "诉前调解" in settings.hints
    assert Hotline12368Input.name() == "hotline_12368"


def test_form_keeps_blank_fields_because_twilio_signs_them():
    body = b"CallSid=CA1&CallerCity=&SpeechResult=%E8%BD%AC%E4%BA%BA%E5%B7%A5&Digits="
    form = Hotline12368Input.form(SimpleNamespace(body=body))
    assert form == {"CallSid": "CA1", "CallerCity": "", "SpeechResult": "转人工", "Digits": ""}
    assert Hotline12368Input.form(SimpleNamespace(body=b"\xff\xfe")) == {}


def test_no_built_in_user_key_salt_outside_development(monkeypatch):
    """issue 12, row 1: a known salt let anyone derive a caller's user key from the phone number."""
    monkeypatch.delenv("HOTLINE_USER_KEY_SALT", raising=False)
    monkeypatch.delenv("COURT_ENV", raising=False)
    with pytest.raises(ValueError, match="HOTLINE_USER_KEY_SALT"):
        Hotline12368Input(HotlineSettings.load())
    monkeypatch.setenv("HOTLINE_USER_KEY_SALT", "one-court-secret-salt")
    first = Hotline12368Input(HotlineSettings.load()).settings.user_key_salt
    assert first == "one-court-secret-salt"
    monkeypatch.setenv("HOTLINE_USER_KEY_SALT", "another-court-secret")
    keys = {HotlineSettings.load().user_key_salt, first}
    assert len(keys) == 2


# ---------------------------------------------------------------- repair keys (issue 17)
def said_all(root: ET.Element) -> str:
    """Everything spoken, SSML pieces (<prosody>) included."""
    return "".join("".join(el.itertext()) for el in root.iter("Say"))


def test_greeting_announces_the_keypad_conventions_once():
    twiml, reply = call_flow(make(Bot({"问个事": [{"text": "请说。"}]})), ("start", None), ("speak", "问个事"))
    assert "重听请按星号键" in said(parse(twiml)) and "返回上一步请按井号键" in said(parse(twiml))
    assert "星号" not in said(parse(reply))


def test_star_hash_and_zero_become_repair_intents_for_rasa():
    bot = Bot({"/repeat": [{"custom": {"repeat": 1}}, {"text": "请问您的姓名？"}],
               "/go_back": [{"text": "好的，回到上一步。您刚才的回答是：十二月七日。"}, {"text": "您想约哪天？"}]})
    hotline = make(bot)
    _start, _first, repeat, back, person = call_flow(
        hotline, ("start", None), ("speak", "我要预约"), ("press", "*"), ("press", "#"), ("press", "0"))
    sent = [text for _, text, _ in bot.received]
    assert sent == ["我要预约", "/repeat", "/go_back", "/human_handoff"]
    assert "请问您的姓名" in said(parse(repeat))
    assert "回到上一步" in said(parse(back))
    assert parse(person).find("Dial") is not None


def test_single_key_gathers_take_hash_as_a_key_and_number_questions_end_with_it():
    bot = Bot({"约": [{"text": "请说您的手机号码。"}]})
    start, number = call_flow(make(bot), ("start", None), ("speak", "约"))
    assert parse(start).find("Gather").get("finishOnKey") == ""
    assert parse(number).find("Gather").get("finishOnKey") == "#"


def test_star_on_the_greeting_says_it_again_here_and_the_second_time_slowly():
    bot = Bot()
    start, once, twice = call_flow(make(bot), ("start", None), ("press", "*"), ("press", "*"))
    assert bot.received == []  # the connector's own prompt: nothing for Rasa to repeat
    assert said(parse(once)) == said(parse(start))
    slow = parse(twice).find("Gather").find("Say")
    pieces = slow.findall("prosody")
    assert len(pieces) > 3 and all(p.get("rate") == "slow" for p in pieces) and slow.findall("break")
    assert "按一咨询诉讼程序" in said_all(parse(twice))


def test_a_second_repeat_in_a_row_is_slower_in_short_pieces_with_numbers_digit_by_digit():
    answer = [{"text": "预约成功！预约号：3 8 4 7 1 2。时间：12月7日 9:00。"}]
    bot = Bot({"/repeat": None})
    replies = iter([[{"custom": {"repeat": 1}}, *answer], [{"custom": {"repeat": 2}}, *answer]])

    async def ask(call, text):
        bot.received.append((call.call_sid, text, {}))
        return next(replies) if text == "/repeat" else answer

    hotline = make(bot)
    hotline.ask = ask
    _start, first, once, twice = call_flow(hotline, ("start", None), ("speak", "约好了吗"), ("press", "*"),
                                           ("press", "*"))
    assert parse(once).find("Gather").find("Say").text == parse(first).find("Gather").find("Say").text
    slow = parse(twice).find("Gather").find("Say")
    assert slow.text is None and slow.findall("prosody") and slow.findall("break")
    assert all(len(p.text) <= 16 for p in slow.findall("prosody"))
    assert "三，八，四，七，一，二" in said_all(parse(twice))
