"""The conversation's language: detected per message, unless the shopper or the widget chose one.

``action_validate_slot_mappings`` runs after every user message. The ``language`` slot follows the
message's script (see ``assistant.language``); a choice ("日本語でお願いします", a language button, or
the widget's ``metadata.language``) is stored in ``language_choice`` and wins from then on, until
another choice replaces it.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from assistant.language import (DEFAULT_LANGUAGE, LANGUAGE_NAMES, detect_language, normalise_language,
                                script_neutral)

SET_LANGUAGE_INTENT = "set_language"
# Short Latin replies ("ok", "yes", "SO123456 thanks") inside a Chinese or Japanese conversation
# do not switch it to English.
MIN_ENGLISH_WORDS = 3
CHINESE = ("zh-Hans", "zh-Hant")
_WORD = re.compile(r"[A-Za-z]+")


def explicit_choice(tracker: Tracker) -> Optional[str]:
    """A language the shopper or the widget asked for in the latest message, if any."""
    message = tracker.latest_message or {}
    metadata = message.get("metadata") or {}
    if metadata.get("language"):
        return normalise_language(metadata["language"])
    for entity in message.get("entities", []):
        if entity.get("entity") == "language":
            return normalise_language(entity.get("value"))
    if (message.get("intent") or {}).get("name") == SET_LANGUAGE_INTENT:
        text = (message.get("text") or "").lower()
        for code, names in LANGUAGE_NAMES.items():
            if any(name in text for name in names):
                return code
    return None


def detected(text: str, current: Optional[str]) -> Optional[str]:
    language = detect_language(text)
    if language == "en" and current not in (None, "en") and len(_WORD.findall(text)) < MIN_ENGLISH_WORDS:
        return current
    if language in CHINESE and current in CHINESE and script_neutral(text):
        return current  # characters shared by both scripts do not switch simplified and traditional
    return language


class ValidateSlotMappings(ValidationAction):
    """Sets ``language`` (and ``language_choice``) after every user message."""

    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: Dict[Text, Any]) -> List[Text]:
        return ["language_choice", "language"]

    async def extract_language_choice(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: Dict[Text, Any]) -> Dict[Text, Any]:
        choice = explicit_choice(tracker)
        return {"language_choice": choice} if choice else {}

    async def extract_language(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: Dict[Text, Any]) -> Dict[Text, Any]:
        choice = tracker.get_slot("language_choice")
        current = tracker.get_slot("language")
        language = choice or detected((tracker.latest_message or {}).get("text") or "", current)
        language = language or current or DEFAULT_LANGUAGE
        return {"language": language} if language != current else {}
