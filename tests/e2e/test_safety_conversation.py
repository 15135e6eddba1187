"""Safety first, end to end on the real stack (REST channel): every crisis message of tests/data gets the crisis
route as its first reply, outside forms and inside the booking form, the risk self-test and the fee calculator (no
form question, no menu, no button, no stored form value); every near-miss is handled as its ordinary question;
follow-ups get care; the form can be resumed; staff see the alert."""

import hashlib
import json
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
ROWS = [json.loads(line) for name in ("safety_messages.jsonl", "safety_messages_fresh.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
CRISES = [row for row in ROWS if row["kind"] != "none"]
NEAR_MISSES = [row for row in ROWS if row["kind"] == "none"]
MENU_WORDS = ("还有别的需要吗", "已经停下了", "请选择", "我可以帮您：")
# What each form asks next when it keeps going (a crisis reply must contain none of it).
FORM_QUESTIONS = ("哪天", "哪一天", "上午还是下午", "哪一类纠纷", "金额", "多少钱", "称呼", "手机")
FORMS = {
    "booking": ("我想预约调解", "哪天", "booking_form"),
    "risk": ("风险自测", "哪一类纠纷", "risk_form"),
    "fee": ("打官司要交多少诉讼费", "金额", "fee_form"),
}


def crisis_card(messages: list[dict]) -> dict | None:
    return next((m["custom"] for m in messages if isinstance(m.get("custom"), dict)
                 and m["custom"].get("type") == "crisis"), None)


def assert_crisis_route(messages: list[dict], kind: str, text: str) -> dict:
    card = crisis_card(messages)
    assert card is not None, f"{text!r} got {messages}"
    assert kind in card["kinds"], f"{text!r}: {card['kinds']}"
    assert all(not m.get("buttons") for m in messages), f"{text!r}: buttons in a crisis reply"
    said = "\n".join(m.get("text", "") for m in messages)
    assert not any(word in said for word in MENU_WORDS), f"{text!r}: {said}"
    assert messages[0].get("text"), "the first message is the care text"
    numbers = {n["number"] for n in card["numbers"]}
    assert {"suicide": "12356", "danger": "110", "medical": "120", "threat": "110"}[card["kind"]] in numbers
    return card


def slot_values(stack, sender: str) -> dict:
    with sqlite3.connect(stack.env["RASA_TRACKER_DB"]) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot' ORDER BY id",
                          (sender,)).fetchall()
    values: dict = {}
    for (data,) in rows:
        event = json.loads(data)
        values[event["name"]] = event["value"]
    return values


@pytest.mark.parametrize("row", CRISES, ids=lambda row: row["text"][:16])
def test_every_crisis_message_gets_the_crisis_route_first(stack, sender, row):
    assert_crisis_route(stack.say(sender, row["text"]), row["kind"], row["text"])


def test_near_misses_are_ordinary_questions(stack, sender):
    alarms = []
    for index, row in enumerate(NEAR_MISSES):
        messages = stack.say(f"{sender}-{index}", row["text"])
        if crisis_card(messages):
            alarms.append(row["text"])
        assert messages, f"{row['text']!r} got no answer"
    assert alarms == []


@pytest.mark.parametrize("form", FORMS)
def test_inside_each_form_a_crisis_leaves_the_form_and_no_value_is_taken(stack, sender, form):
    opener, question, loop = FORMS[form]
    for index, row in enumerate(CRISES):
        conversation = f"{sender}-{index}"
        opened = stack.texts(stack.say(conversation, opener))
        assert question in opened, opened
        messages = stack.say(conversation, row["text"])
        assert_crisis_route(messages, row["kind"], row["text"])
        said = stack.texts(messages)
        assert not any(word in said for word in FORM_QUESTIONS), f"{row['text']!r} inside {form}: {said}"
        slots = slot_values(stack, conversation)
        assert row["text"] not in json.dumps(slots, ensure_ascii=False), f"{row['text']!r} was stored in a slot"
        assert slots.get("crisis_resume_form") == loop and slots.get("requested_slot") is None


def test_the_issue_cases_word_for_word(stack, sender):
    messages = stack.say(sender, "官司打输了 欠了一屁股债 我不想活了")
    card = assert_crisis_route(messages, "suicide", "")
    text = stack.texts(messages)
    assert "12356" in text and "好的，已经停下了" not in text and card["kind"] == "suicide"
    danger = stack.texts(stack.say(sender + "-d", "他又打我了 我现在很害怕"))
    assert "110" in danger and "人身安全保护令" in danger and "不用先起诉离婚" in danger and "12338" in danger
    pills = stack.say(sender + "-p", "我吃了一瓶安眠药")
    assert crisis_card(pills)["urgent"] and "120" in stack.texts(pills).splitlines()[0]
    assert "哪天" not in stack.texts(pills)


def test_follow_ups_get_care_not_the_menu(stack, sender):
    stack.say(sender, "他又打我了")
    for follow_up in ("我还是很害怕", "没人管我", "不用了"):
        messages = stack.say(sender, follow_up)
        text = stack.texts(messages)
        assert crisis_card(messages) is not None, f"{follow_up}: {messages}"
        assert not any(m.get("buttons") for m in messages) and not any(word in text for word in MENU_WORDS)
    # an ordinary question afterwards is answered as usual
    answer = stack.say(sender, "立案需要什么材料")
    assert crisis_card(answer) is None and "起诉状" in stack.texts(answer)


def test_the_interrupted_booking_can_be_resumed(stack, sender):
    assert "哪天" in stack.texts(stack.say(sender, "我想预约调解"))
    said = stack.texts(stack.say(sender, "活着没意思"))
    assert "之后可以继续刚才的预约" in said
    assert "哪天" in stack.texts(stack.say(sender, "继续预约"))


def test_staff_see_the_alert_without_the_words_except_for_threats(stack, sender):
    stack.say(sender, "我不想活了")
    stack.say(sender + "-t", "我要炸了法院")
    refs = {"conv-" + hashlib.sha256(f"rest:{name}".encode()).hexdigest()[:32] for name in (sender, sender + "-t")}
    deadline = time.monotonic() + 10  # the action records the event in the background
    while True:
        alerts = httpx.get(f"{stack.service_url}/api/staff/safety/events", params={"limit": 1000},
                           headers=stack.staff_headers()).json()
        kinds = {alert["kind"]: alert for alert in alerts if alert["conversation_ref"] in refs}
        if {"suicide", "threat"} <= set(kinds) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert kinds["suicide"]["text"] is None and kinds["threat"]["text"] == "我要炸了法院"
    assert all(alert["conversation_ref"].startswith("conv-") and sender not in alert["conversation_ref"]
               for alert in alerts)
