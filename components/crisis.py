"""Safety first, inside Rasa: an NLU component that marks a crisis message, and a policy that answers it first.

CrisisDetector (last in the NLU pipeline) runs court_common.safety.detect on every message. When it fires, the
intent becomes `crisis` with confidence 1.0 and the kind is added as the entity `crisis_kind`, whatever DIET or the
FallbackClassifier thought. The detector alone decides: when DIET guesses `crisis` (it has examples so that crisis
wording is not learnt as `stop` or a question) but the detector does not fire, the guess becomes `nlu_fallback`,
so the guide looks the message up as usual. Every slot mapping in domain/ carries `not_intent: [crisis]`, so
`action_extract_slots` never takes a form value from a crisis message.

CrisisPolicy answers before any other policy, also inside a form. Why a policy and not rules: in Rasa 3.6 a
RulePolicy prediction of the active loop after a user message is a "no user" prediction
(rule_policy.py `_find_action_from_loop_happy_path`), and the ensemble lets no-user predictions overrule every
other prediction whatever its confidence or priority (ensemble.py `_pick_best_policy`). A rule with
`intent: crisis` inside a form would only run after the form had already tried the message as an answer (and
asked its question again). So this policy also marks its prediction as "no user" and has a higher priority than
RulePolicy: it wins the tie against the loop, and `action_crisis_response` runs first, leaves the form and
remembers it. After that action it predicts `action_listen`.

Follow-ups: for a few turns after a crisis reply, a message with words of distress ("我还是很害怕", "没人管我") or
a stop/deny/fallback gets `action_crisis_response` again (its follow-up text), never the menu.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, confidence_scores_for
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from court_common import safety

log = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
CRISIS_ENTITY = "crisis_kind"
CRISIS_ACTION = "action_crisis_response"
FALLBACK_INTENT = "nlu_fallback"
# For this many user turns after a crisis reply, distress, a "no" or an unclear message still gets care.
FOLLOW_UP_TURNS = 6
FOLLOW_UP_INTENTS = {"stop", "deny", FALLBACK_INTENT, "out_of_scope"}
# Above RulePolicy (4): see the module docstring.
CRISIS_POLICY_PRIORITY = 6


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisDetector(GraphComponent, IntentClassifier):
    """Sets the intent `crisis` (confidence 1.0) and the entity `crisis_kind` when the detector fires."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> CrisisDetector:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            finding = safety.detect(text)
            intent = message.get(INTENT) or {}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != CRISIS_INTENT]
            if finding:
                crisis = {INTENT_NAME_KEY: CRISIS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, crisis, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [crisis, *ranking], add_to_output=True)
                entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != CRISIS_ENTITY]
                entities.append({"entity": CRISIS_ENTITY, "value": finding.kind, "start": 0, "end": len(text),
                                 "confidence_entity": 1.0, "extractor": self.__class__.__name__})
                message.set(ENTITIES, entities, add_to_output=True)
                log.info("crisis detected: %s (%s)", finding.kind, ",".join(finding.rules))  # never the text
            elif intent.get(INTENT_NAME_KEY) == CRISIS_INTENT:
                fallback = {INTENT_NAME_KEY: FALLBACK_INTENT,
                            PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)}
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT], is_trainable=True)
class CrisisPolicy(Policy):
    """Predicts action_crisis_response first for a crisis message (and distress right after one), in any state."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": CRISIS_POLICY_PRIORITY, "follow_up_turns": FOLLOW_UP_TURNS}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        with self._model_storage.write_to(self._resource):
            pass  # nothing to learn (the decision is the detector's); an empty resource loads cleanly
        return self._resource

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: dict[str, Any] | None = None, **kwargs: Any) -> PolicyPrediction:
        action = self._choose(tracker)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(self._default_predictions(domain))
        return self._prediction(confidence_scores_for(action, 1.0, domain), is_no_user_prediction=True)

    def _choose(self, tracker: DialogueStateTracker) -> str | None:
        latest = tracker.latest_action_name
        if latest == CRISIS_ACTION:
            return ACTION_LISTEN_NAME
        if latest != ACTION_LISTEN_NAME or not isinstance(tracker.latest_message, UserUttered):
            return None
        intent = (tracker.latest_message.intent or {}).get(INTENT_NAME_KEY)
        if intent == CRISIS_INTENT:
            return CRISIS_ACTION
        if self._in_follow_up(tracker) and (
                intent in FOLLOW_UP_INTENTS or safety.is_distress(tracker.latest_message.text or "")):
            return CRISIS_ACTION
        return None

    def _in_follow_up(self, tracker: DialogueStateTracker) -> bool:
        """A crisis reply was given within the last `follow_up_turns` user messages of this session."""
        turns = 0
        for event in reversed(tracker.applied_events()):
            if isinstance(event, UserUttered):
                turns += 1
                if turns > self.config.get("follow_up_turns", FOLLOW_UP_TURNS):
                    return False
            elif isinstance(event, ActionExecuted) and event.action_name == CRISIS_ACTION:
                return True
        return False
