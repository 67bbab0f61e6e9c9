"""Complaints and payment problems (answered from a guide or policy when one is sure to, then a person is
offered), feedback (the same, else the thank-you), and the fallback.

The handoff itself (ticket, relay, rating) lives in :mod:`actions.handoff`.
"""
from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ShopAction, intent_of, user_events_reversed
from actions.handoff import csat_ticket, rating_from, start_handoff, store_csat
from actions.knowledge import answer_shop_question
from actions.products import ActionProductQuestion, about_last_product
from actions.services import Services
from actions.surveys import answer_of, pending_survey, store_survey
from assistant.i18n.phrases import phrase
from assistant.shop.support import handoff_rules
from assistant.shop.support.handoff_rules import COMPLAINT, PAYMENT_ISSUE

FALLBACK = "nlu_fallback"
# A complaint, a payment problem or feedback is answered from a guide or policy when the knowledge base is this far
# above its calibrated threshold (tuning part of `make answer-eval`), else the apology template answers
SUPPORT_MARGIN = 0.02


class ActionOfferHandoff(ShopAction):
    """A complaint or a payment problem: answer, then offer a person."""

    def name(self) -> Text:
        return "action_offer_handoff"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        intent = tracker.get_intent_of_latest_message()
        reason = PAYMENT_ISSUE if intent == "payment_issue" else COMPLAINT
        if answer_shop_question(dispatcher, tracker, services, margin=SUPPORT_MARGIN):
            # "I got charged twice for one order": the payment policy says what happens, then a person is offered
            dispatcher.utter_message(text=phrase("handoff.offer_after_answer"), buttons=[
                {"title": phrase("handoff.yes_person"), "payload": "/affirm"},
                {"title": phrase("handoff.no_thanks"), "payload": "/deny"}])
        else:
            dispatcher.utter_message(response="utter_payment_issue" if reason == PAYMENT_ISSUE else "utter_complaint")
        return [SlotSet("awaiting_confirmation", f"handoff:{reason}")]


class ActionGiveFeedback(ShopAction):
    """Feedback, or what looks like it: "I'd like to fix a typo in my review" is answered from the reviews
    policy when the knowledge base is sure of it; praise and remarks get the thank-you (how to write a
    review, where to send remarks)."""

    def name(self) -> Text:
        return "action_give_feedback"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        if not answer_shop_question(dispatcher, tracker, services, margin=SUPPORT_MARGIN):
            dispatcher.utter_message(response="utter_give_feedback")
        return []


def consecutive_fallbacks(tracker: Tracker) -> int:
    count = 0
    for event in user_events_reversed(tracker):
        if intent_of(event) != FALLBACK:
            break
        count += 1
    return count


class ActionFallback(ShopAction):
    """Not understood: list what the bot can do; the second time in a row, hand off to a person."""

    def name(self) -> Text:
        return "action_fallback"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        rating_for = csat_ticket(tracker)
        if rating_for is not None and rating_from(tracker) is not None:  # a typed "5" after the rating question
            return store_csat(dispatcher, tracker, services, rating_for)
        if pending_survey(tracker) is not None and answer_of(tracker) is not None:  # a score the Rasa side missed
            return store_survey(dispatcher, tracker, services)
        order_ids = list(tracker.get_latest_entity_values("order_id"))
        if order_ids and tracker.get_intent_of_latest_message(skip_fallback_intent=False) in ("inform", FALLBACK):
            dispatcher.utter_message(response="utter_what_about_order", order_id=order_ids[0])
            return []
        if about_last_product(tracker):  # "any left in M?" right after product results
            return ActionProductQuestion().perform(dispatcher, tracker, services)
        if tracker.get_intent_of_latest_message(skip_fallback_intent=False) == FALLBACK and answer_shop_question(dispatcher, tracker, services):
            return []  # a shop question the guides answer, in words the NLU did not expect
        if consecutive_fallbacks(tracker) >= 2:
            dispatcher.utter_message(response="utter_fallback_offer_human")
            return start_handoff(dispatcher, tracker, services, handoff_rules.FALLBACK)
        dispatcher.utter_message(response="utter_fallback_help")
        return []
