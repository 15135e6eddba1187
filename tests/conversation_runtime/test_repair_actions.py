"""Repair actions (actions/repair.py) over tracker JSON: repeat, back, main menu (issue 17)."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.repair import ActionFormBack, ActionMainMenu, ActionRepeat, question_order, repeat_count

PHONE = "hotline_12368"


def user(text, intent, channel=PHONE):
    return {"event": "user", "text": text, "input_channel": channel,
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}}


def bot(text, buttons=None, custom=None):
    return {"event": "bot", "text": text, "data": {"buttons": buttons, "custom": custom}}


def slot(name, value):
    return {"event": "slot", "name": name, "value": value}


def tracker(events, slots=None, form=None):
    latest = next(e for e in reversed(events) if e["event"] == "user")
    return Tracker(sender_id="t", slots=slots or {}, latest_message=latest["parse_data"] | {"text": latest["text"]},
                   events=events, paused=False, followup_action=None,
                   active_loop={"name": form} if form else {}, latest_action_name="action_listen")


def run(action, t, domain=None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain or {}))
    return dispatcher.messages, events


ANSWER = [user("立案要带什么", "ask_procedure"), bot("带起诉状和身份证明。"),
          bot("需要的话，我可以把详细说明发短信给您。",
              buttons=[{"title": "发短信给我", "payload": "/request_guide_sms"}])]


def test_repeat_says_the_whole_last_answer_again_with_its_choices_and_counts_repeats_in_a_row():
    events = [*ANSWER, user("没听清 再说一遍", "repeat")]
    messages, result = run(ActionRepeat(), tracker(events))
    assert messages[0]["custom"] == {"repeat": 1}
    assert [m["text"] for m in messages[1:]] == ["带起诉状和身份证明。", "需要的话，我可以把详细说明发短信给您。"]
    assert messages[2]["buttons"][0]["payload"] == "/request_guide_sms"
    assert result == []  # nothing recorded, no slot touched
    events += [{"event": "action", "name": "action_repeat"}, bot("带起诉状和身份证明。"), user("*", "repeat")]
    assert repeat_count(events) == 2
    messages, _ = run(ActionRepeat(), tracker(events))
    assert messages[0]["custom"] == {"repeat": 2} and messages[1]["text"] == "带起诉状和身份证明。"


def test_repeat_on_screens_sends_no_marker_and_skips_a_handoff():
    events = [user("转人工", "human_handoff", "rest"), bot("好的，为您转人工。"), bot(None, custom={"handoff": True}),
              user("再说一遍", "repeat", "rest")]
    messages, _ = run(ActionRepeat(), tracker(events))
    assert [m["text"] for m in messages] == ["好的，为您转人工。"]


def test_repeat_inside_a_form_leaves_the_question_to_the_form():
    events = [user("预约", "book_appointment"), bot("您想约哪天？"), user("再说一遍", "repeat")]
    messages, _ = run(ActionRepeat(), tracker(events, form="booking_form"))
    assert [m.get("custom") for m in messages] == [{"repeat": 1}]


FORM_EVENTS = [
    user("我要约调解", "book_appointment"), {"event": "active_loop", "name": "booking_form"},
    slot("booking_service", "mediation"), slot("requested_slot", "booking_day"), bot("您想约哪天？"),
    user("下周一", "inform"), slot("booking_day", "2026-12-07"), slot("requested_slot", "booking_slot"),
    bot("可约的时段：1. 9:00"), user("1", "inform"), slot("booking_slot", "2026-12-07T09:00:00+08:00"),
    slot("requested_slot", "booking_phone"), bot("您的手机号？"),
]


def test_back_goes_to_the_previous_question_with_its_old_answer_then_back_again():
    events = [*FORM_EVENTS, user("上一步", "go_back")]
    slots = {"requested_slot": "booking_phone", "booking_slot": "2026-12-07T09:00:00+08:00",
             "booking_day": "2026-12-07", "booking_service": "mediation"}
    assert question_order(events, "booking_form") == ["booking_day", "booking_slot", "booking_phone"]
    messages, result = run(ActionFormBack(), tracker(events, slots, "booking_form"))
    assert "回到上一步" in messages[0]["text"] and "12月7日9:00" in messages[0]["text"]
    cleared = {e["name"]: e["value"] for e in result if e["event"] == "slot"}
    assert cleared["booking_slot"] is None and cleared["requested_slot"] == "booking_slot"
    assert result[-1] == {"event": "followup", "name": "booking_form", "timestamp": None}
    # the form asks booking_slot again; back once more is the day
    events += [*result, slot("requested_slot", "booking_slot"), bot("可约的时段：1. 9:00"), user("#", "go_back")]
    slots.update(booking_slot=None, requested_slot="booking_slot")
    messages, result = run(ActionFormBack(), tracker(events, slots, "booking_form"))
    assert "下周一" in messages[0]["text"]
    cleared = {e["name"]: e["value"] for e in result if e["event"] == "slot"}
    assert cleared["booking_day"] is None and cleared["booking_offers"] is None
    assert cleared["requested_slot"] == "booking_day"


def test_back_at_the_first_question_says_so_and_asks_it_again():
    events = [*FORM_EVENTS[:5], user("返回", "go_back")]
    messages, result = run(ActionFormBack(), tracker(events, {"requested_slot": "booking_day"}, "booking_form"))
    assert messages[0]["text"] == "这已经是第一个问题了。"
    assert result == [{"event": "followup", "name": "booking_form", "timestamp": None}]


def test_back_outside_a_form_and_main_menu_inside_one():
    messages, result = run(ActionFormBack(), tracker([user("返回", "go_back")]))
    assert messages[0]["response"] == "utter_menu" and result == []
    domain = {"forms": {"risk_form": {"required_slots": ["risk_dispute_type", "risk_amount"]}}}
    messages, result = run(ActionMainMenu(), tracker([user("回主菜单", "main_menu")], form="risk_form"), domain)
    assert messages[-1]["response"] == "utter_menu"
    assert result[0] == {"event": "active_loop", "name": None, "timestamp": None}
    assert {e["name"] for e in result if e["event"] == "slot"} == {"requested_slot", "risk_dispute_type",
                                                                   "risk_amount"}
