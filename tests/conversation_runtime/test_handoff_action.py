"""The handoff action, run as the action server runs it, over tracker JSON."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHumanHandoff


def tracker(channel: str, active_loop: str | None = None) -> Tracker:
    return Tracker(
        sender_id="t1", slots={}, latest_message={"text": "转人工", "intent": {"name": "human_handoff"}},
        events=[{"event": "user", "text": "转人工", "input_channel": channel}], paused=False,
        followup_action=None, active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(channel: str, active_loop: str | None = None):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHumanHandoff().run(dispatcher, tracker(channel, active_loop), {}))
    return dispatcher.messages, events


def test_on_the_phone_the_call_is_transferred():
    messages, _ = run("hotline_12368")
    assert "正在为您转接人工" in messages[0]["text"]
    assert messages[-1]["custom"] == {"handoff": True}


def test_on_the_web_it_says_where_people_are():
    messages, _ = run("rest")
    assert "12368" in messages[0]["text"]
    assert "请以法院公告为准" in messages[0]["text"]


def test_a_running_form_is_left():
    _, events = run("rest", active_loop="booking_form")
    assert events[0]["event"] == "active_loop" and events[0]["name"] is None
