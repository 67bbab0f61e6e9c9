"""A typed score becomes the ``survey`` intent only while the bot's last turn asked a survey question."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.rasa_plugins.survey_answers import pending_marker, survey_answer


# stand-ins for Rasa's event classes (the module reads the class name and the attributes)
@dataclass
class UserUttered:
    text: str = ""


@dataclass
class SlotSet:
    key: str
    value: Any = None


@dataclass
class BotUttered:
    text: str = ""


@dataclass
class FakeTracker:
    events: list = field(default_factory=list)


ASKED = [UserUttered("yes"), SlotSet("awaiting_confirmation", None), BotUttered("cancelled"),
         SlotSet("awaiting_confirmation", "survey:nps:7"), BotUttered("How likely...?")]


def parsed(text: str, intent: str = "nlu_fallback") -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": 0.4},
            "intent_ranking": [{"name": intent, "confidence": 0.4}], "entities": []}


def test_a_typed_score_while_the_question_is_pending_is_a_survey_answer() -> None:
    result = survey_answer(parsed("９点"), FakeTracker(ASKED))
    assert result["intent"] == {"name": "survey", "confidence": 1.0}
    assert result["entities"][0]["entity"] == "survey_score" and result["entities"][0]["value"] == "9"
    assert result["intent_ranking"][0]["name"] == "survey"


def test_skip_and_out_of_range_scores_reach_the_action_too() -> None:
    assert survey_answer(parsed("スキップ"), FakeTracker(ASKED))["entities"][0]["value"] == "skip"
    assert survey_answer(parsed("99"), FakeTracker(ASKED))["entities"][0]["value"] == "99"


def test_once_the_shopper_said_something_else_a_digit_is_not_a_score() -> None:
    later = [*ASKED, UserUttered("where is my order"), BotUttered("Which order?")]
    message = parsed("9")
    assert survey_answer(message, FakeTracker(later)) is message
    assert pending_marker(later) is None


def test_other_questions_payloads_and_sentences_are_left_alone() -> None:
    csat = [UserUttered("ok"), SlotSet("awaiting_confirmation", "csat:3")]
    for text, events in (("4", csat), ("/survey{\"survey_score\": \"9\"}", ASKED), ("my order 9", ASKED),
                         ("", ASKED)):
        message = parsed(text)
        assert survey_answer(message, FakeTracker(events)) is message
    message = parsed("9")
    assert survey_answer(message, None) is message
    assert survey_answer(message, FakeTracker([])) is message
