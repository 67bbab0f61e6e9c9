"""Typed answers to a pending survey question become the ``survey`` intent, inside the Rasa process.

While the bot's last turn asked an NPS or CES question (it set ``awaiting_confirmation`` to
``survey:<kind>:<id>`` after the shopper's previous message), a message that is only a score or a
skip ("9", "９", "7分", "10点", "8/10", "skip", "跳过", "スキップ") is parsed as
``survey{"survey_score": "<n>"}``, whatever the classifier thought of a lone digit. Once the shopper
has said anything else, the question is no longer pending and a digit means what it meant before
(an order number fragment, a quantity, not understood): nothing here touches it.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from assistant.i18n.scores import parse_score

SURVEY_INTENT = "survey"
SCORE_ENTITY = "survey_score"
PENDING_SLOT = "awaiting_confirmation"
PENDING_PREFIX = "survey:"


def pending_marker(events: Any) -> Optional[str]:
    """The survey marker the bot set since the shopper's last message, or None (``events``: Rasa events)."""
    # newest first, without copying the session's events on every message (a tracker's are a deque)
    for event in (reversed(events) if hasattr(events, "__reversed__") else reversed(list(events or []))):
        name = type(event).__name__
        if name == "UserUttered":
            return None
        if name == "SlotSet" and getattr(event, "key", None) == PENDING_SLOT:
            value = getattr(event, "value", None)
            return value if isinstance(value, str) and value.startswith(PENDING_PREFIX) else None
    return None


def survey_answer(parsed: Dict[str, Any], tracker: Any) -> Dict[str, Any]:
    """``parsed`` as a ``survey`` answer when a survey question is pending and the text is a score or skip."""
    text = str(parsed.get("text") or "")
    if tracker is None or not text or text.startswith("/"):
        return parsed
    if pending_marker(getattr(tracker, "events", None)) is None:
        return parsed
    answer = parse_score(text)
    if answer is None:
        return parsed
    value = "skip" if answer.skipped else str(answer.score)
    intent = {"name": SURVEY_INTENT, "confidence": 1.0}
    entity = {"entity": SCORE_ENTITY, "value": value, "start": 0, "end": len(text),
              "extractor": "SurveyAnswer", "confidence_entity": 1.0}
    ranking = [intent, *[r for r in parsed.get("intent_ranking") or [] if r.get("name") != SURVEY_INTENT]]
    return {**parsed, "intent": intent, "intent_ranking": ranking, "entities": [entity]}
