"""The survey-answer rewrite with Rasa's own tracker and events (Rasa venv)."""
from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.rasa_plugins.survey_answers import survey_answer


def _parsed(text: str) -> dict:
    return {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": [],
            "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}]}


def _tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("shopper", [UserUttered("yes"), ActionExecuted("action_after_task"),
                                                       *events])


def test_a_typed_score_after_the_question_is_the_survey_intent() -> None:
    tracker = _tracker(BotUttered("How likely...?"), SlotSet("awaiting_confirmation", "survey:nps:3"))
    result = survey_answer(_parsed("10点"), tracker)
    assert result["intent"]["name"] == "survey" and result["entities"][0]["value"] == "10"


def test_not_after_another_user_message() -> None:
    tracker = _tracker(SlotSet("awaiting_confirmation", "survey:nps:3"), UserUttered("where is my order"))
    message = _parsed("9")
    assert survey_answer(message, tracker) is message
