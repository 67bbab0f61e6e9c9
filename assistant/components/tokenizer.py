"""Tokenizer that keeps order numbers and emails whole and masks them for features.

Shoppers paste order numbers ("SO482913", "#so-482913", "482913") and emails
into their questions. Left as-is, each number is a new, unseen token, and the
classifier learns "contains an order number" instead of "asks where the order
is". This tokenizer (a whitespace tokenizer for Latin text) turns each such
span into a single token whose text is a placeholder (``ordernumber``,
``emailaddress``) while keeping the span's offsets, so entity extraction still
returns the shopper's real value. It also stores the message text with the
spans replaced by plain words (``order number``, ``email address``) under
``MASKED_TEXT`` for sentence encoders.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Pattern, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

MASKED_TEXT = "shop_masked_text"

# (pattern, token placeholder, words for sentence encoders)
DEFAULT_SPANS = {
    "email": (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", "emailaddress", "email address"),
    "order_id": (r"(?<![\w@.])#?(?:[SsＳｓ][OoＯｏ][- ]?)?[0-9０-９]{6}(?![\w@])", "ordernumber", "order number"),
}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ShopTokenizer(WhitespaceTokenizer):
    """Whitespace tokens, with emails and order numbers kept whole and masked."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "mask_spans": True}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._spans: List[Tuple[Pattern[str], str, str]] = [
            (re.compile(pattern), placeholder, words) for pattern, placeholder, words in DEFAULT_SPANS.values()
        ]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ShopTokenizer:
        return cls(config)

    def _protected(self, text: str) -> List[Tuple[int, int, str, str]]:
        """Non-overlapping (start, end, placeholder, words) spans, earliest first."""
        found: List[Tuple[int, int, str, str]] = []
        for pattern, placeholder, words in self._spans:
            for match in pattern.finditer(text):
                start, end = match.span()
                if not any(start < e and s < end for s, e, _, _ in found):
                    found.append((start, end, placeholder, words))
        return sorted(found)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT or not self._config["mask_spans"]:
            return tokens
        text = message.get(attribute) or ""
        spans = self._protected(text)
        if not spans:
            message.set(MASKED_TEXT, text)
            return tokens
        merged: List[Token] = []
        for token in tokens:
            if not any(token.start < end and start < token.end for start, end, _, _ in spans):
                merged.append(token)
        for start, end, placeholder, _ in spans:
            merged.append(Token(placeholder, start, end=end, lemma=placeholder))
        merged.sort(key=lambda t: t.start)
        masked, last = [], 0
        for start, end, _, words in spans:
            masked.append(text[last:start])
            masked.append(words)
            last = end
        masked.append(text[last:])
        message.set(MASKED_TEXT, "".join(masked))
        return merged
