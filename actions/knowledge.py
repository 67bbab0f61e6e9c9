"""Answers from the shop's guides and policies (the knowledge base), with their source.

The reply is the best passage, trimmed to the answer, and its source title; the widget gets the
link as a custom payload. Under the calibrated threshold the bot says it does not know, offers the
two closest topics as buttons and a person.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ShopAction
from actions.order_tasks import ORDER_TASKS
from actions.services import Services, get_knowledge_base
from assistant.i18n.phrases import current_language, language_name, phrase
from assistant.shop.storage.clock import utcnow
from assistant.shop.support.handoff_rules import KB_ABSTENTION
from assistant.shop.support.hours_text import fill_support_hours
from knowledge_base.answers import Abstention, Answer, answer
from knowledge_base.intent_topics import expected_documents
from knowledge_base.search import KnowledgeBase, Passage
from knowledge_base.text import without_shop_name

GUIDES_AND_POLICIES = {"kind": ["guide", "policy"]}
TOPIC_INTENT = "kb_topic"
ASK_INTENT = "ask_shop_question"
FALLBACK_MARGIN = 0.02
# A trained question intent (payment_methods, delivery_options...) the classifier is sure of agrees that
# the content answers the question: the confidence threshold drops by this much (tuning part of
# `make answer-eval`: right source +2.5 points, unanswerable questions answered +2 points)
AGREEING_INTENT_LENIENCY = 0.04
AGREEING_INTENT_CONFIDENCE = 0.7
# ... and when retrieval's best page is one that intent's questions are answered by
# (``knowledge_base.intent_topics``), it drops by this much more
# (held out of `make answer-eval`: right source 0.643 -> 0.653, unanswerable questions answered 0.064 -> 0.085;
# 0.12 changed nothing more on the tuning part)
EXPECTED_PAGE_LENIENCY = 0.06


def topic_button(passage: Passage) -> Dict[str, str]:
    payload = json.dumps({"kb_doc": passage.doc_id})
    return {"title": passage.chunk.title, "payload": f"/{TOPIC_INTENT}{payload}"}


def source_payload(passage: Passage) -> Dict[str, Any]:
    return {"type": "kb_source", "title": passage.chunk.title, "heading": passage.chunk.heading,
            "url": passage.chunk.url, "doc_id": passage.doc_id}


HANDOFF = "human_handoff"


def task_button(task: str) -> Dict[str, str]:
    title = phrase("button.talk_to_person") if task == HANDOFF else phrase(f"button.task.{task}")
    return {"title": title, "payload": f"/{task}"}


def offered_task(tracker: Tracker) -> Optional[str]:
    """The order task the router says the shopper may want after the answer ("can I return my order?")."""
    task = ((tracker.latest_message or {}).get("route") or {}).get("offer_task")
    return task if task in ORDER_TASKS or task == HANDOFF else None


def utter_answer(dispatcher: CollectingDispatcher, reply: Answer, services: Services,
                 offer: Optional[str] = None) -> None:
    passage_language = reply.passage.chunk.language
    # facts that change (the support hours) are rendered now, in the passage's language
    text = fill_support_hours(reply.text, services.business_hours(), utcnow(), passage_language)
    if passage_language != current_language():
        # no page in the shopper's language: say so, in their language, before the other one
        text = f"{phrase('note.other_language', page_language=language_name(passage_language))}\n{text}"
    buttons = [task_button(offer)] if offer else []
    dispatcher.utter_message(response="utter_kb_answer", answer=text, source=reply.passage.chunk.title,
                             json_message=source_payload(reply.passage), buttons=buttons)


def utter_abstention(dispatcher: CollectingDispatcher, reply: Abstention, offer: Optional[str] = None) -> Events:
    buttons = [task_button(offer)] if offer else []
    buttons += [topic_button(p) for p in reply.closest[:2]]
    buttons.append({"title": phrase("button.talk_to_person"), "payload": "/human_handoff"})
    dispatcher.utter_message(response="utter_kb_abstain", buttons=buttons)
    return [SlotSet("awaiting_confirmation", f"handoff:{KB_ABSTENTION}")]


def shopper_language(tracker: Tracker) -> Optional[str]:
    return tracker.get_slot("language") or None


def agreeing_intent(tracker: Tracker) -> Optional[str]:
    """The trained question intent the classifier is sure of (not one the router chose), else None."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    trained = intent.get("name") not in (ASK_INTENT, TOPIC_INTENT, "nlu_fallback", None) and not message.get("route")
    return intent["name"] if trained and float(intent.get("confidence") or 0) >= AGREEING_INTENT_CONFIDENCE else None


def leniency(tracker: Tracker) -> float:
    return AGREEING_INTENT_LENIENCY if agreeing_intent(tracker) else 0.0


def try_answer(kb: KnowledgeBase, tracker: Tracker, services: Services, text: str,
               filters: Optional[Dict[str, Any]] = None) -> Answer | Abstention:
    if not filters or "product" not in filters.get("kind", ()):
        text = without_shop_name(text, services.settings.shop_name)  # every guide is the shop's: no topic
    return answer(kb, text, filters=filters or GUIDES_AND_POLICIES, min_score=services.settings.kb_min_score,
                  language=shopper_language(tracker), leniency=leniency(tracker),
                  expected=expected_documents(agreeing_intent(tracker)), expected_leniency=EXPECTED_PAGE_LENIENCY)


class ActionAnswerFromKnowledge(ShopAction):
    """Policy, delivery, payment, account, invoice, newsletter and checkout questions."""

    def name(self) -> Text:
        return "action_answer_from_kb"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        kb = get_knowledge_base()
        if tracker.get_intent_of_latest_message() == TOPIC_INTENT:
            return self._topic(dispatcher, tracker, kb, services)
        reply = try_answer(kb, tracker, services, tracker.latest_message.get("text") or "")
        offer = offered_task(tracker)
        if isinstance(reply, Answer):
            utter_answer(dispatcher, reply, services, offer)
            return [SlotSet("awaiting_confirmation", None)]
        return utter_abstention(dispatcher, reply, offer)

    def _topic(self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase,
               services: Services) -> Events:
        """A topic button after an abstention: the topic's opening passage."""
        doc_id = next(tracker.get_latest_entity_values("kb_doc"), None)
        language = shopper_language(tracker)
        chunks = kb.passages_of(str(doc_id)) if doc_id else []
        chunks = [c for c in chunks if c.language == language] or chunks
        if not chunks:
            dispatcher.utter_message(response="utter_kb_topic_unknown")
            return []
        passage = Passage(chunks[0], 1.0, 1.0, 0.0)
        utter_answer(dispatcher, Answer(text=chunks[0].text, passage=passage), services)
        return [SlotSet("awaiting_confirmation", None)]


def answer_shop_question(dispatcher: CollectingDispatcher, tracker: Tracker, services: Services,
                         margin: float = FALLBACK_MARGIN) -> bool:
    """Answer from guides and policies when the message is a shop question we can answer confidently
    (``margin`` above the calibrated threshold: a message the NLU could not place, or placed with a
    complaint, needs a little more certainty than a recognised question); say nothing and return False
    otherwise."""
    text = tracker.latest_message.get("text") or ""
    if len(text.split()) < 2 and len(text) < 6:
        return False
    kb = get_knowledge_base()
    reply = try_answer(kb, tracker, services, text)
    if isinstance(reply, Answer) and reply.confidence >= reply.threshold + margin:
        utter_answer(dispatcher, reply, services)
        return True
    return False
