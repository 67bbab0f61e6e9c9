"""Routes the trained ``out_of_scope`` intent to Rasa's ``nlu_fallback``.

We train an explicit ``out_of_scope`` intent (weather, maths, trivia...) because
examples of what we do not handle sharpen the classifier far more than a
confidence threshold alone. The intent contract says such messages go to
``nlu_fallback``; this component, placed after ``FallbackClassifier``, renames
the prediction so that every consumer (rules, analytics, evaluation) sees one
name. The confidence is kept.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class OutOfScopeToFallback(GraphComponent):
    """Renames the configured out-of-scope intent to ``nlu_fallback``."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": "out_of_scope"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._intent = config["intent"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OutOfScopeToFallback:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != self._intent:
                continue
            renamed = {**intent, INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME}
            message.set(INTENT, renamed, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT_RANKING_KEY, [renamed, *ranking], add_to_output=True)
        return messages
