"""Keeps the bot quiet while a human agent owns the conversation.

While the slot ``handoff_active`` is true, every shopper message is relayed to
the agent (``action_relay_to_agent``) and the bot says nothing else. Three
intents are routed here whatever the slot says, because they belong to the
handoff's life cycle rather than to a flow:

| intent | action |
| --- | --- |
| ``handoff_resolved`` (sent by the console when the agent resolves) | ``action_handoff_resolved``: the bot resumes and asks for a rating |
| ``back_to_bot`` (the shopper wants the assistant back) | ``action_end_handoff`` |
| ``csat`` (a 1-5 rating button) | ``action_store_csat`` |

Outside business hours the ticket waits for the team with ``handoff_waiting`` set and
``handoff_active`` false: the bot goes on answering, and only a message carrying an email
address (outside a form) is routed to the relay, which makes it the ticket's contact.

After each of these actions the bot listens. The policy learns nothing from
training data; it outranks the rule and memoization policies by priority and by
predicting with full confidence, and abstains (all zeros) otherwise.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class HandoffPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "priority": 7,  # above RulePolicy (6)
            "active_slot": "handoff_active",
            "waiting_slot": "handoff_waiting",
            "contact_entity": "email",
            "relay_action": "action_relay_to_agent",
            "intent_actions": {
                "handoff_resolved": "action_handoff_resolved",
                "back_to_bot": "action_end_handoff",
                "csat": "action_store_csat",
            },
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, featurizer: Optional[Any] = None) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self._intent_actions: Dict[str, str] = dict(config["intent_actions"])
        self._own_actions = {config["relay_action"], *self._intent_actions.values()}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        action = self._next_action(tracker)
        probabilities = self._default_predictions(domain)
        if action is not None and action in domain.action_names_or_texts:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)

    def _next_action(self, tracker: DialogueStateTracker) -> Optional[str]:
        latest = tracker.latest_action_name
        if latest in self._own_actions:
            return ACTION_LISTEN_NAME
        if latest != ACTION_LISTEN_NAME:
            return None  # some other flow is running its steps
        intent = tracker.latest_message.intent.get("name") if tracker.latest_message else None
        if intent in self._intent_actions:
            return self._intent_actions[intent]
        if intent is None:
            return None
        if tracker.get_slot(self.config["active_slot"]):
            return self.config["relay_action"]
        if tracker.get_slot(self.config["waiting_slot"]) and not tracker.active_loop_name and any(
                entity.get("entity") == self.config["contact_entity"]
                for entity in tracker.latest_message.entities or ()):
            return self.config["relay_action"]  # the contact address for the waiting ticket
        return None
