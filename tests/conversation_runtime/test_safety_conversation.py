"""Safety in the conversation runtime: the crisis action over tracker JSON (with a real local service center
stand-in recording the event), the NLU component and the policy on real Rasa objects, the WeChat card, and a
guard that no form slot can ever be filled from a crisis message."""

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import safety as safety_action
from actions import service_api
from components.crisis import CRISIS_ACTION, CrisisDetector, CrisisPolicy
from connectors.wechat import shape_messages
from tests.support.recording_service import RecordingService

ROOT = Path(__file__).resolve().parents[2]
MENU_WORDS = ("还有别的需要吗", "已经停下了", "我可以帮您：")


@pytest.fixture
def recorder(monkeypatch):
    running = RecordingService(body=b'{"id": 1, "created": true}')
    monkeypatch.setattr(service_api, "SERVICE_URL", running.url)
    yield running
    running.close()


def tracker(text: str, channel: str = "rest", loop: str | None = None, intent: str = "crisis",
            entities: list | None = None, slots: dict | None = None) -> Tracker:
    return Tracker(sender_id="caller-1", slots=slots or {},
                   latest_message={"text": text, "intent": {"name": intent}, "entities": entities or []},
                   events=[{"event": "user", "text": text, "input_channel": channel}], paused=False,
                   followup_action=None, active_loop={"name": loop} if loop else {},
                   latest_action_name="action_listen")


def run_action(current: Tracker) -> tuple[list[dict], list[dict]]:
    async def go():
        dispatcher = CollectingDispatcher()
        events = await safety_action.ActionCrisisResponse().run(dispatcher, current, {})
        await asyncio.gather(*list(safety_action._pending))
        return dispatcher.messages, events

    return asyncio.run(go())


def test_suicide_on_the_web_gets_care_numbers_and_no_menu(recorder):
    messages, events = run_action(tracker("官司打输了 欠了一屁股债 我不想活了"))
    text = messages[0]["text"]
    assert "12356" in text and "我很担心您" in text
    assert not any(word in text for word in MENU_WORDS) and not any(m.get("buttons") for m in messages)
    card = messages[-1]["custom"]
    assert card["type"] == "crisis" and card["kind"] == "suicide"
    assert [n["number"] for n in card["numbers"]] == ["12356", "120", "110"]
    assert {"event": "slot", "name": "crisis_kind", "value": "suicide", "timestamp": None} in events
    (recorded,) = [body for _, body in recorder.posts]
    assert recorded["kind"] == "suicide" and recorded["text"] is None and recorded["channel"] == "rest"
    assert recorded["conversation_ref"].startswith("conv-") and "caller-1" not in recorded["conversation_ref"]


def test_urgent_overdose_leads_with_the_ambulance(recorder):
    messages, _ = run_action(tracker("我吃了一瓶安眠药"))
    assert messages[0]["text"].startswith("如果您已经伤害了自己") and "120" in messages[0]["text"].splitlines()[0]


def test_danger_names_the_protection_order_and_12338(recorder):
    messages, _ = run_action(tracker("他又打我了 我现在很害怕"))
    text = messages[0]["text"]
    assert "110" in text and "人身安全保护令" in text and "二十四小时内" in text and "12338" in text
    assert messages[-1]["custom"]["guide_entry"] == "protection-order-apply"


def test_threat_keeps_the_words_for_staff(recorder):
    run_action(tracker("我要炸了法院"))
    (recorded,) = [body for _, body in recorder.posts]
    assert recorded["kind"] == "threat" and recorded["text"] == "我要炸了法院"


def test_inside_a_form_the_form_is_left_and_remembered(recorder):
    messages, events = run_action(tracker("活着没意思", loop="booking_form"))
    assert "之后可以继续刚才的预约" in " ".join(m.get("text") or "" for m in messages)
    assert events[1]["event"] == "active_loop" and events[1]["name"] is None
    assert {"event": "slot", "name": "crisis_resume_form", "value": "booking_form", "timestamp": None} in events
    assert recorder.posts[0][1]["interrupted_form"] == "booking_form"


def test_on_the_phone_no_digits_are_spoken_by_the_action(recorder):
    messages, _ = run_action(tracker("我不想活了", channel="hotline_12368"))
    assert not any(ch.isdigit() for ch in messages[0]["text"])
    assert messages[-1]["custom"]["numbers"][0]["number"] == "12356"  # the connector reads them slowly


def test_a_follow_up_gets_the_short_care_text_and_is_not_recorded(recorder):
    messages, _ = run_action(tracker("我还是很害怕", intent="nlu_fallback", slots={"crisis_kind": "danger"}))
    assert messages[0]["text"].startswith("我还在这里") and "110" in messages[0]["text"]
    assert messages[-1]["custom"]["follow_up"] is True and recorder.posts == []
    closing, _ = run_action(tracker("不用了", intent="deny", slots={"crisis_kind": "danger"}))
    assert closing[0]["text"].startswith("好的。您随时可以再来找我")


def test_the_reply_does_not_wait_for_a_dead_service_center(monkeypatch):
    monkeypatch.setattr(service_api, "SERVICE_URL", "http://127.0.0.1:9")
    messages, _ = run_action(tracker("我想跳楼"))
    assert messages[-1]["custom"]["kind"] == "suicide"


# ---------------------------------------------------------------- NLU component and policy on Rasa objects
def test_the_detector_component_overrides_the_intent_and_adds_the_kind():
    message = Message(data={"text": "我不想活了", "intent": {"name": "stop", "confidence": 0.97},
                            "intent_ranking": [{"name": "stop", "confidence": 0.97}], "entities": []})
    CrisisDetector().process([message])
    assert message.get("intent") == {"name": "crisis", "confidence": 1.0}
    assert message.get("entities")[0]["entity"] == "crisis_kind" and message.get("entities")[0]["value"] == "suicide"


def test_a_diet_guess_of_crisis_without_the_detector_becomes_a_fallback():
    message = Message(data={"text": "不想打官司了", "intent": {"name": "crisis", "confidence": 0.8},
                            "intent_ranking": [{"name": "crisis", "confidence": 0.8}], "entities": []})
    CrisisDetector().process([message])
    assert message.get("intent")["name"] == "nlu_fallback"
    ordinary = Message(data={"text": "立案要什么材料", "intent": {"name": "ask_procedure", "confidence": 0.9},
                             "entities": []})
    CrisisDetector().process([ordinary])
    assert ordinary.get("intent")["name"] == "ask_procedure"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain"))


def policy() -> CrisisPolicy:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    storage = LocalModelStorage.create(Path("/tmp/crisis-policy-test"))
    context = type("Context", (), {"is_finetuning": False})()
    return CrisisPolicy({**CrisisPolicy.get_default_config()}, storage, Resource("crisis"), context)


def predicted(current: DialogueStateTracker, domain: Domain) -> tuple[str, bool]:
    prediction = policy().predict_action_probabilities(current, domain)
    index = prediction.max_confidence_index
    return (domain.action_names_or_texts[index] if prediction.max_confidence > 0 else None,
            prediction.is_no_user_prediction)


def test_the_policy_answers_a_crisis_first_even_inside_a_form(domain):
    events = [ActionExecuted("action_listen"), UserUttered("我想预约", {"name": "book_appointment"}),
              ActionExecuted("booking_form"), ActiveLoop("booking_form"), SlotSet("requested_slot", "booking_day"),
              ActionExecuted("action_listen"), UserUttered("他拿刀", {"name": "crisis", "confidence": 1.0})]
    current = DialogueStateTracker.from_events("t", events, domain.slots)
    action, no_user = predicted(current, domain)
    assert action == CRISIS_ACTION and no_user  # beats the loop's own no-user prediction by priority
    assert policy().priority > 4  # RulePolicy's


def test_after_the_crisis_action_it_listens_and_distress_keeps_the_care(domain):
    events = [ActionExecuted("action_listen"), UserUttered("我不想活了", {"name": "crisis"}),
              ActionExecuted(CRISIS_ACTION)]
    current = DialogueStateTracker.from_events("t", events, domain.slots)
    assert predicted(current, domain)[0] == "action_listen"
    current.update(ActionExecuted("action_listen"))
    current.update(UserUttered("我还是很害怕", {"name": "ask_procedure", "confidence": 0.4}))
    assert predicted(current, domain)[0] == CRISIS_ACTION
    ordinary = DialogueStateTracker.from_events("t", [*events, ActionExecuted("action_listen"),
                                                      UserUttered("立案要什么材料", {"name": "ask_procedure"})],
                                                domain.slots)
    assert predicted(ordinary, domain)[0] is None


def test_no_prediction_for_an_ordinary_message(domain):
    events = [ActionExecuted("action_listen"), UserUttered("你好", {"name": "greet"})]
    assert predicted(DialogueStateTracker.from_events("t", events, domain.slots), domain)[0] is None


# ---------------------------------------------------------------- no form value from a crisis message
def test_every_text_or_entity_slot_mapping_refuses_the_crisis_intent():
    for path in sorted((ROOT / "domain").glob("*.yml")):
        slots = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("slots") or {}
        for name, slot in slots.items():
            for mapping in slot.get("mappings") or []:
                if mapping.get("type") in ("from_text", "from_entity"):
                    assert "crisis" in (mapping.get("not_intent") or []), f"{path.name}: {name}"


def test_config_runs_the_detector_last_and_the_policy_first():
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    assert config["pipeline"][-1]["name"] == "components.crisis.CrisisDetector"
    assert config["policies"][0]["name"] == "components.crisis.CrisisPolicy"


# ---------------------------------------------------------------- WeChat
def test_wechat_shows_the_crisis_card_first_with_callable_numbers():
    messages, _ = asyncio.run(_quiet_run(tracker("他又打我了", channel="wechat")))
    shaped = shape_messages(messages)
    assert shaped[0]["type"] == "crisis" and shaped[0]["kind"] == "danger"
    assert shaped[0]["numbers"][0] == {"name": "报警电话", "number": "110"}
    assert shaped[1]["type"] == "text" and not any(m["type"] == "quick_replies" for m in shaped)


async def _quiet_run(current: Tracker):
    dispatcher = CollectingDispatcher()
    original = safety_action.ActionCrisisResponse._record
    safety_action.ActionCrisisResponse._record = staticmethod(lambda event: None)
    try:
        events = await safety_action.ActionCrisisResponse().run(dispatcher, current, {})
    finally:
        safety_action.ActionCrisisResponse._record = original
    return dispatcher.messages, events
