"""Repair at every point (issue 17): say the last thing again, one question back, the main menu, and the
feedback question once per call before goodbye.

- action_repeat: outside a form, the bot messages of the last turn that was not itself a repeat are sent again
  (the whole guide answer, the booking confirmation, a "which one did you mean" with its choices); inside a form it
  says nothing and the form asks its current question again (bot/core/repair_rules.yml). Nothing is recorded. On
  the phone a marker {"repeat": n} tells the connector how many repeats came in a row: from the second on it
  speaks more slowly, in shorter pieces, numbers digit by digit (connectors/voice_text.py `slow_pieces`).
- action_form_back: inside a form, the previous question again, its old answer read out first; outside, the menu.
- action_main_menu: leaves any form (its answers forgotten) and shows the main menu.
- action_goodbye: on the phone, after at least one guide answer and only once per call, asks whether the answers
  helped before saying goodbye (the feedback is stored by action_guide_feedback); else the plain goodbye.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import BOOKING_SLOTS
from actions.guide import FEEDBACK_BUTTONS, HOTLINE_CHANNEL
from court_common.booking_services import BOOKING_SERVICES

# 再说一遍 / 上一步 / 回主菜单: never an answer to a form's question (actions/risk.py skips them too)
REPAIR_INTENTS = frozenset({"repeat", "go_back", "main_menu"})
GOODBYE_FEEDBACK = "挂机前想请您评价一下：今天的解答对您有帮助吗？"
# Questions that are never gone back to by themselves: the SMS code belongs to the phone number before it.
NOT_REVISITED = {"booking_phone_code"}
# Clearing one answer clears what was derived from it.
CLEARED_WITH = {
    "booking_day": ["booking_offers", "booking_slot", "booking_part", "booking_day_text", "booking_notice"],
    "booking_phone": ["booking_phone_code", "booking_phone_verification"],
}
_ISO_SLOT = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})")


def _intent_of(event: dict[str, Any]) -> str | None:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def repeat_count(events: list[dict[str, Any]]) -> int:
    """How many repeat requests came in a row, the latest included."""
    count = 0
    for event in reversed(events):
        if event.get("event") == "user":
            if _intent_of(event) != "repeat":
                break
            count += 1
    return count


def last_said(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot messages answering the last user message that was not a repeat (or, with none, all before)."""
    users = [i for i, event in enumerate(events) if event.get("event") == "user"]
    start = next((i for i in reversed(users) if _intent_of(events[i]) != "repeat"), -1)
    end = next((i for i in users if i > start), len(events))
    return [event for event in events[start + 1:end] if event.get("event") == "bot"]


def question_order(events: list[dict[str, Any]], form: str) -> list[str]:
    """The questions of the running form in the order they were first asked (since its activation)."""
    start = max((i for i, e in enumerate(events) if e.get("event") == "active_loop" and e.get("name") == form),
                default=0)
    order: list[str] = []
    for event in events[start:]:
        if event.get("event") != "slot" or event.get("name") != "requested_slot":
            continue
        value = event.get("value")
        if value is None:  # the form was started over (action_risk_restart)
            order = []
        elif value not in order and value not in NOT_REVISITED:
            order.append(value)
    return order


def answer_words(events: list[dict[str, Any]], slot: str, value: Any) -> str:
    """The old answer as the person can recognise it."""
    if value in (None, ""):
        return ""
    if slot == "booking_service":
        return BOOKING_SERVICES.get(str(value), "")
    if slot == "booking_slot":
        match = _ISO_SLOT.search(str(value))
        return f"{int(match[2])}月{int(match[3])}日{int(match[4])}:{match[5]}" if match else ""
    if slot in ("booking_phone", "booking_phone_last4"):
        digits = re.sub(r"\D", "", str(value))
        return f"尾号{' '.join(digits[-4:])}" if digits else ""
    if slot == "booking_name":
        return f"姓{str(value)[0]}"
    # otherwise the words that answered it: the user message just before the slot was set
    said = ""
    for event in events:
        if event.get("event") == "user":
            said = (event.get("text") or "").strip()
        elif event.get("event") == "slot" and event.get("name") == slot and event.get("value") == value:
            break
    else:
        said = ""
    if said and not said.startswith("/"):
        return said[:40]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return ""


class ActionRepeat(Action):
    def name(self) -> str:
        return "action_repeat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        count = repeat_count(tracker.events)
        phone = tracker.get_latest_input_channel() == HOTLINE_CHANNEL
        if phone:  # how the connector speaks it (not sent to screens, which would show it)
            dispatcher.utter_message(json_message={"repeat": count})
        if tracker.active_loop_name:
            return []  # the form asks its question again (bot/core/repair_rules.yml)
        said = last_said(tracker.events)
        if not said:
            dispatcher.utter_message(response="utter_menu")
            return []
        for event in said:
            data = event.get("data") or {}
            custom = data.get("custom")
            if isinstance(custom, dict) and (custom.get("handoff") or "repeat" in custom):
                continue  # the transfer is not redone by a repeat; the marker is ours
            message: dict[str, Any] = {}
            if event.get("text"):
                message["text"] = event["text"]
            if data.get("buttons"):
                message["buttons"] = data["buttons"]
            if custom:
                message["json_message"] = custom
            if data.get("image"):
                message["image"] = data["image"]
            if message:
                dispatcher.utter_message(**message)
        return []


class ActionFormBack(Action):
    def name(self) -> str:
        return "action_form_back"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        form = tracker.active_loop_name
        if not form:
            dispatcher.utter_message(response="utter_menu")
            return []
        requested = tracker.get_slot("requested_slot")
        order = question_order(tracker.events, form)
        index = order.index(requested) if requested in order else len(order)
        if index == 0 or not order:
            dispatcher.utter_message(text="这已经是第一个问题了。")
            return [FollowupAction(form)]
        previous = order[index - 1]
        old = answer_words(tracker.events, previous, tracker.get_slot(previous))
        dispatcher.utter_message(text=f"好的，回到上一步。您刚才的回答是：{old}。" if old else "好的，回到上一步。")
        cleared = [previous, *CLEARED_WITH.get(previous, [])]
        if requested and requested not in cleared:
            cleared.append(requested)
        # the form then asks the first unanswered question: the previous one. The FollowupAction comes last so
        # the form's validation does not take these clearings for new answers to check.
        return [*[SlotSet(slot, None) for slot in cleared], SlotSet("requested_slot", previous), FollowupAction(form)]


def form_slots(domain: dict[str, Any], form: str) -> list[str]:
    spec = (domain.get("forms") or {}).get(form) or {}
    slots = spec.get("required_slots") or []
    return list(slots) if isinstance(slots, list) else list(slots.keys())


class ActionMainMenu(Action):
    def name(self) -> str:
        return "action_main_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        events: list[EventType] = []
        form = tracker.active_loop_name
        if form:
            forgotten = BOOKING_SLOTS if form.startswith("booking") else form_slots(domain, form)
            events = [ActiveLoop(None), SlotSet("requested_slot", None), *[SlotSet(s, None) for s in forgotten]]
            dispatcher.utter_message(text="好的，回到主菜单。")
        dispatcher.utter_message(response="utter_menu")
        return events


class ActionGoodbye(Action):
    def name(self) -> str:
        return "action_goodbye"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        due = tracker.get_slot("guide_feedback_due")
        if tracker.get_latest_input_channel() == HOTLINE_CHANNEL and due and not tracker.get_slot("feedback_asked"):
            dispatcher.utter_message(text=GOODBYE_FEEDBACK, buttons=FEEDBACK_BUTTONS)
            return [SlotSet("feedback_asked", True), SlotSet("guide_feedback_entry", due),
                    SlotSet("guide_feedback_due", None)]
        dispatcher.utter_message(response="utter_goodbye")
        return []
