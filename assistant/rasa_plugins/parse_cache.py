"""Parse results by message text, so a text Rasa has parsed lately skips the NLU pipeline.

The NLU pipeline (tokenizer, featurizers, the sentence encoder, DIET, the entity extractors, the knowledge
retriever) is a function of the message's text and the model alone: no component reads the conversation
or the message's metadata. So the same text under the same model parses the same, and shoppers repeat
themselves: quick replies and buttons typed as text ("yes", "thanks", "track my order"), the same
questions in the same words. A parse costs several milliseconds of Rasa's CPU (DIET and the encoder are
about a third of it, ``make bench``); a hit costs a dictionary look-up and a copy.

What is kept is the pipeline's output only. The router (``assistant.rasa_plugins.routing``), which weighs
the conversation's state, and the refusal of agent-only intents run on every message, hit or not.
Payloads ("/greet", "/choose_language{...}") are not kept: they bypass the pipeline and cost nothing.
The key includes the model's id, so a model loaded at run time (``PUT /model``) starts afresh. Texts are
held in memory only, in the Rasa process, at most ``NLU_CACHE_SIZE`` of them (least recently used go).
"""
from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from typing import Any, Dict, Hashable, Optional

logger = logging.getLogger(__name__)

REPORT_EVERY = 1000  # parses between two log lines of the hit rate


class ParseCache:
    """A bounded least-recently-used map from (model id, text) to a parse result."""

    def __init__(self, size: int) -> None:
        self.size = max(0, int(size))
        self._entries: OrderedDict[Hashable, Dict[str, Any]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def key(self, processor: Any, message: Any, only_output_properties: bool = True) -> Optional[Hashable]:
        """The key for this message, or None when its parse must not be kept or reused."""
        text = getattr(message, "text", None)
        if not self.size or not only_output_properties or not isinstance(text, str) or not text.strip():
            return None
        if text.lstrip().startswith("/") or getattr(processor, "http_interpreter", None) is not None:
            return None  # a payload (no pipeline), or NLU served elsewhere
        metadata = getattr(processor, "model_metadata", None)
        return (getattr(metadata, "model_id", None) or id(processor), text)

    def get(self, key: Optional[Hashable]) -> Optional[Dict[str, Any]]:
        if key is None:
            return None
        parsed = self._entries.get(key)
        if parsed is None:
            self._count(hit=False)
            return None
        self._entries.move_to_end(key)
        self._count(hit=True)
        return copy.deepcopy(parsed)  # the caller (Rasa, the router) may change what it gets

    def put(self, key: Optional[Hashable], parsed: Dict[str, Any]) -> None:
        if key is None:
            return
        self._entries[key] = copy.deepcopy(parsed)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def _count(self, hit: bool) -> None:
        if hit:
            self.hits += 1
        else:
            self.misses += 1
        if (self.hits + self.misses) % REPORT_EVERY == 0:
            logger.info("NLU parse cache: %d hits in %d parses since the start (%d texts kept)",
                        self.hits, self.hits + self.misses, len(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


_cache: Optional[ParseCache] = None


def parse_cache() -> ParseCache:
    """The process's cache, sized by ``NLU_CACHE_SIZE``."""
    global _cache
    if _cache is None:
        from assistant.runtime.settings import get_settings

        _cache = ParseCache(get_settings().nlu_cache_size)
    return _cache
