"""Drops implausible values of pattern-shaped entities, and duplicates.

Order numbers and emails are found twice: by ``RegexEntityExtractor`` and by
DIET. DIET sometimes tags a look-alike (a 5-digit postal code as an order
number). This component, placed after the extractors, keeps an entity of a
configured type only if its value matches the type's pattern, keeps one
entity per (type, span), and drops an entity covered by a longer one of the
same type. Configure it in ``config.yml``::

    - name: assistant.rasa_plugins.components.entity_filter.PatternEntityFilter
      patterns:
        order_id: '^#?(?:[Ss][Oo][- ]?)?[0-9０-９]{6}$'
        email: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class PatternEntityFilter(GraphComponent):
    """Keeps only entities whose values fit their type's pattern."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"patterns": {}}

    def __init__(self, config: Dict[Text, Any]) -> None:
        patterns = config.get("patterns") or {}
        try:
            self._patterns = {entity: re.compile(pattern) for entity, pattern in patterns.items()}
        except re.error as exc:
            raise InvalidConfigException(f"PatternEntityFilter: invalid pattern: {exc}") from exc

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PatternEntityFilter:
        return cls(config)

    def _keep(self, entity: Dict[Text, Any]) -> bool:
        pattern = self._patterns.get(entity.get("entity"))
        return pattern is None or bool(pattern.match(str(entity.get("value", "")).strip()))

    @staticmethod
    def _inside_another(entity: Dict[Text, Any], others: List[Dict[Text, Any]]) -> bool:
        """True if a longer entity of the same type covers this one ("482913" in "SO482913")."""
        return any(
            other is not entity
            and other.get("entity") == entity.get("entity")
            and other["start"] <= entity["start"]
            and entity["end"] <= other["end"]
            and other["end"] - other["start"] > entity["end"] - entity["start"]
            for other in others
        )

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            plausible = [e for e in message.get(ENTITIES) or [] if self._keep(e)]
            seen = set()
            kept = []
            for entity in plausible:
                key = (entity.get("entity"), entity.get("start"), entity.get("end"), entity.get("role"))
                if key in seen or ("start" in entity and self._inside_another(entity, plausible)):
                    continue
                seen.add(key)
                kept.append(entity)
            message.set(ENTITIES, kept, add_to_output=True)
        return messages
