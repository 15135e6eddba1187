"""The foundation end to end: greeting, menu, handoff, out-of-scope, bad input, persistence across a restart."""

import httpx
import pytest

MENU_JOBS = ["程序问题咨询", "诉讼风险自测", "预约调解或立案", "转人工"]


def test_greeting_shows_the_menu(stack, sender):
    messages = stack.say(sender, "你好")
    text = stack.texts(messages)
    assert "您好" in text
    buttons = [b["title"] for m in messages for b in m.get("buttons", [])]
    assert buttons == MENU_JOBS


def test_capabilities_name_all_four_jobs(stack, sender):
    text = stack.texts(stack.say(sender, "你能帮我做什么"))
    for job in MENU_JOBS:
        assert job in text


def test_handoff_says_how_to_reach_a_person(stack, sender):
    messages = stack.say(sender, "我要转人工")
    assert "人工" in stack.texts(messages)
    assert any(m.get("custom", {}).get("handoff") for m in messages)


def test_weather_is_honestly_out_of_scope_with_the_menu(stack, sender):
    text = stack.texts(stack.say(sender, "今天天气怎么样"))
    assert "不归法院诉讼服务管" in text and "气象" in text  # the out-of-scope topic says who handles it
    assert "诉讼风险自测" in text


def test_out_of_scope_without_a_known_topic_gets_the_plain_reply(stack, sender):
    text = stack.texts(stack.say(sender, "帮我算算明天彩票开啥号"))
    assert "不在我能回答的范围" in text and "不归法院诉讼服务管" not in text
    assert "诉讼风险自测" in text


@pytest.mark.parametrize("message", [
    "😀😀😀",
    "hello, what can you do?",
    "<script>alert('x')</script>",
    "'; DROP TABLE bookings; --",
    "啊" * 10_000,
])
def test_bad_input_gets_a_polite_chinese_answer(stack, sender, message):
    messages = stack.say(sender, message)
    text = stack.texts(messages)
    assert text, "the bot must answer"
    assert "<script>" not in text and "DROP TABLE" not in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("message", ["asdfghjkl", "？？？", "嗯"])
def test_noise_is_never_a_dead_end(stack, sender, message):
    """Whatever the NLU makes of noise (a stray yes, a fallback, a question), the menu is offered as a way on."""
    buttons = [b["title"] for m in stack.say(sender, message) for b in m.get("buttons", [])]
    assert buttons == MENU_JOBS


def test_empty_message_does_not_break_the_conversation(stack, sender):
    stack.say(sender, "")
    assert "您好" in stack.texts(stack.say(sender, "你好"))


def test_service_rejects_bad_requests_with_json(stack):
    response = httpx.get(f"{stack.service_url}/no/such/page")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    response = httpx.get(f"{stack.service_url}/api/staff/anything")
    assert response.status_code in (401, 404)


def test_health_is_green_with_versions(stack):
    health = httpx.get(f"{stack.service_url}/health").json()
    assert health["status"] == "ok"
    assert set(health["checks"]) >= {"database", "rasa", "actions"}
    assert health["checks"]["rasa"]["version"].startswith("3.6")


def test_conversation_survives_a_restart(stack, sender):
    stack.say(sender, "你好")
    stack.say(sender, "我要转人工")
    stack.restart_rasa()
    tracker_db = stack.workdir / "tracker.db"
    import sqlite3

    with sqlite3.connect(tracker_db) as db:
        count = db.execute("select count(*) from events where sender_id = ?", (sender,)).fetchone()[0]
    assert count > 0
    # The restarted server still knows this conversation: it answers without a new greeting session reset.
    assert stack.texts(stack.say(sender, "谢谢")).startswith("不客气")
