"""action_crisis_response: the answer to danger, suicidal crisis, threats and medical emergencies (issue 20).

components.crisis.CrisisPolicy runs this before anything else, inside forms too. It
- leaves any active form and remembers it, so the person can continue later (no form value was taken:
  every slot mapping carries `not_intent: [crisis]`);
- says the care text for the kind (knowledge_base/safety_texts.yml: `text` on screens, `spoken` on the phone) with
  the numbers from court_profile.yml (`safety.numbers`, national defaults in court_common/safety.py);
- sends a `crisis` card (kind, numbers, title) that each channel renders: the web and WeChat as an alert card
  with tel: links, the 12368 connector as a transfer to a person when staffed, else the numbers read slowly and
  an SMS offer;
- records the event at the service center (POST /api/safety/events) without delaying the reply;
- never sends buttons, a menu or "还有别的需要吗".
A later message of the same conversation that still carries distress gets the short follow-up text.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import service_api
from court_common import safety

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
TEXTS_PATH = ROOT / "knowledge_base" / "safety_texts.yml"
PROFILE_PATH = ROOT / "knowledge_base" / "court_profile.yml"
HOTLINE_CHANNEL = "hotline_12368"
CLOSING_INTENTS = {"stop", "deny"}
RECORD_TIMEOUT = 3.0
_pending: set[asyncio.Task] = set()  # event records still being sent (kept so they are not garbage-collected)


@lru_cache
def texts() -> dict[str, Any]:
    with open(TEXTS_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache
def numbers() -> dict[str, dict[str, str]]:
    try:
        with open(PROFILE_PATH, encoding="utf-8") as handle:
            profile = yaml.safe_load(handle) or {}
    except OSError:
        log.warning("court profile not readable: the national help-line numbers are used")
        profile = {}
    return safety.numbers_table((profile.get("safety") or {}).get("numbers"))


def fill(template: str) -> str:
    return template.format(**{key: value["number"] for key, value in numbers().items()})


def conversation_ref(channel: str, sender_id: str) -> str:
    """An opaque reference to the conversation (the same hash the booking actions use for anonymous users)."""
    return "conv-" + hashlib.sha256(f"{channel}:{sender_id}".encode()).hexdigest()[:32]


def card(kind: str, kinds: list[str], urgent: bool, follow_up: bool = False) -> dict[str, Any]:
    table = numbers()
    entry = texts()["kinds"][kind]
    body: dict[str, Any] = {
        "type": safety.CARD_TYPE, "kind": kind, "kinds": kinds, "urgent": urgent, "follow_up": follow_up,
        "title": entry["title"],
        "numbers": [{"key": key, **table[key]} for key in safety.numbers_for(kinds) if key in table],
    }
    if entry.get("guide_entry"):
        body["guide_entry"] = entry["guide_entry"]
    return body


def reply_text(kind: str, urgent: bool, spoken: bool) -> str:
    entry = texts()["kinds"][kind]
    lead = entry.get("urgent_lead") or ""
    body = entry["spoken" if spoken else "text"]
    if spoken:  # no digits on the phone: the connector reads the numbers from the card, slowly
        return body
    return fill((lead + "\n" if urgent and lead else "") + body)


async def record(event: dict[str, Any]) -> None:
    try:
        await asyncio.wait_for(service_api.post("/api/safety/events", event), timeout=RECORD_TIMEOUT)
    except (service_api.ServiceUnavailable, service_api.ServiceError, asyncio.TimeoutError) as exc:
        log.warning("safety event not recorded (%s): staff will not see this alert", type(exc).__name__)


class ActionCrisisResponse(Action):
    def name(self) -> str:
        return "action_crisis_response"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        intent = (message.get("intent") or {}).get("name")
        channel = tracker.get_latest_input_channel() or "rest"
        spoken = channel == HOTLINE_CHANNEL
        finding = safety.detect(text)
        kind_entity = next((e.get("value") for e in message.get("entities") or []
                            if e.get("entity") == "crisis_kind" and e.get("value") in safety.KINDS), None)
        if finding:
            kind, kinds, urgent, rules = finding.kind, list(finding.kinds), finding.urgent, list(finding.rules)
        elif kind_entity:  # a payload or a test story: the kind is given, the text is not
            kind, kinds, urgent, rules = kind_entity, [kind_entity], False, []
        else:
            return self._follow_up(dispatcher, tracker, intent, spoken)

        dispatcher.utter_message(text=reply_text(kind, urgent, spoken))
        events: list = [SlotSet("crisis_kind", kind)]
        form = tracker.active_loop_name
        if form:
            names = texts()["forms"]
            if form in names:
                dispatcher.utter_message(text=texts()["resume"].format(form=names[form]))
            events += [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("crisis_resume_form", form)]
        dispatcher.utter_message(json_message=card(kind, kinds, urgent))
        self._record({
            "channel": channel, "kind": kind, "kinds": kinds, "urgent": urgent, "rules": rules,
            "conversation_ref": conversation_ref(channel, tracker.sender_id), "interrupted_form": form,
            # the words only where staff need them to judge the risk to others
            "text": text[:500] if kind == safety.THREAT else None,
        })
        return events

    @staticmethod
    def _follow_up(dispatcher: CollectingDispatcher, tracker: Tracker, intent: str | None, spoken: bool) -> list:
        kind = tracker.get_slot("crisis_kind") if tracker.get_slot("crisis_kind") in safety.KINDS else safety.SUICIDE
        words = texts()
        if spoken:  # no digits on the phone: the connector reads the numbers from the card
            dispatcher.utter_message(text=words["follow_up"]["spoken"])
        elif intent in CLOSING_INTENTS:
            dispatcher.utter_message(text=fill(words["closing"]))
        else:
            dispatcher.utter_message(text=fill(words["follow_up"][kind]))
        dispatcher.utter_message(json_message=card(kind, [kind], urgent=False, follow_up=True))
        return [ActiveLoop(None), SlotSet("requested_slot", None)] if tracker.active_loop_name else []

    @staticmethod
    def _record(event: dict[str, Any]) -> None:
        """Sent in the background: the person's reply never waits for the service center."""
        task = asyncio.ensure_future(record(event))
        _pending.add(task)
        task.add_done_callback(_pending.discard)
