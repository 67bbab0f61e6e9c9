"""action_answer_from_kb (and the fallback's answer_shop_question) over the real knowledge-base index.

Loading the index takes a few seconds (once per process: actions.services.get_knowledge_base is cached),
so these tests are few; the module is skipped when the index has not been built.
"""
from __future__ import annotations

import re

from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ActionAnswerFromKnowledge, answer_shop_question
from tests.unit.actions.conftest import needs_kb, reply, responses, run, slots_of, tracker, unfilled

pytestmark = needs_kb


def _ask(text: str, language: str | None = None, **fields):
    slots = {"language": language} if language else {}
    return run(ActionAnswerFromKnowledge(), tracker(slots=slots, text=text, **{"intent": "ask_policy", **fields}))


def test_a_policy_question_gets_the_passage_and_its_source(services, domain, clock) -> None:
    events, messages = _ask("how many days do I have to return an item?")
    answer = reply(messages, "utter_kb_answer")
    assert "30 days" in answer["answer"] and answer["source"]
    assert answer["custom"]["type"] == "kb_source" and answer["custom"]["title"] == answer["source"]
    assert answer["custom"]["url"].startswith("/") and answer["custom"]["doc_id"].split(":")[0] in ("guide", "policy")
    assert unfilled(domain, answer) == set()
    assert slots_of(events) == {"awaiting_confirmation": None}


def test_a_japanese_question_gets_the_japanese_page(services, clock) -> None:
    _, messages = _ask("返品できる期間は何日ですか？", "ja")
    answer = reply(messages, "utter_kb_answer")
    assert re.search(r"30日(以内|間)", answer["answer"])  # the return window, in Japanese
    assert re.search(r"[\u3040-\u30ff]", answer["source"])  # the Japanese page
    assert "日本語版がまだない" not in answer["answer"]  # so no "not in your language" note


def test_a_question_the_guides_do_not_answer_offers_topics_and_a_person(services, domain, clock) -> None:
    events, messages = _ask("can you teleport my cat to mars")
    abstain = reply(messages, "utter_kb_abstain")
    buttons = abstain["buttons"]
    assert len(buttons) == 3 and buttons[-1] == {"title": "Talk to a person", "payload": "/human_handoff"}
    assert all(b["payload"].startswith('/kb_topic{"kb_doc": ') for b in buttons[:2])
    assert unfilled(domain, abstain) == set()
    assert slots_of(events) == {"awaiting_confirmation": "handoff:kb_abstention"}


def test_a_topic_button_opens_the_topic_with_current_support_hours(services, clock) -> None:
    _, messages = _ask('/kb_topic{"kb_doc": "guide:contact-support"}', intent="kb_topic",
                       entities=[{"entity": "kb_doc", "value": "guide:contact-support"}])
    answer = reply(messages, "utter_kb_answer")
    assert answer["custom"]["doc_id"] == "guide:contact-support"
    assert "Monday to Friday 9:00" in answer["answer"] and "{" not in answer["answer"]


def test_an_unknown_topic_is_said_so(services, clock) -> None:
    events, messages = _ask("/kb_topic", intent="kb_topic", entities=[{"entity": "kb_doc", "value": "guide:nope"}])
    assert responses(messages) == ["utter_kb_topic_unknown"] and events == []


def test_the_fallback_answers_a_shop_question_and_stays_quiet_otherwise(services, clock) -> None:
    dispatcher = CollectingDispatcher()
    assert answer_shop_question(dispatcher, tracker(text="how long do refunds take to arrive?"), services)
    assert responses(dispatcher.messages) == ["utter_kb_answer"]
    assert "5 business days" in dispatcher.messages[0]["answer"]
    quiet = CollectingDispatcher()
    assert not answer_shop_question(quiet, tracker(text="purple monkey dishwasher"), services)
    assert not answer_shop_question(quiet, tracker(text="hm"), services)
    assert quiet.messages == []
