"""Reaching a person, complaints and payment problems, and the fallback.

Live handoff to an agent arrives with the support console; until then the bot
says honestly how to reach the team (address and hours from the settings and
policy file).
"""
from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ShopAction, intent_of, user_events_reversed
from actions.knowledge import answer_shop_question
from actions.localization import current_language, phrase
from actions.products import ActionProductQuestion, about_last_product
from actions.services import Services

FALLBACK = "nlu_fallback"


def support_hours(services: Services) -> str:
    """The policy's support hours; in another language the phrase for the default hours, unless the shop
    changed them (then its own words, untranslated, are better than a wrong translation)."""
    hours = services.policy.support_hours
    if current_language() != "en" and hours == phrase("support_hours", "en"):
        return phrase("support_hours")
    return hours


def handoff_info(dispatcher: CollectingDispatcher, services: Services) -> None:
    dispatcher.utter_message(
        response="utter_handoff_info",
        support_email=services.settings.support_email,
        support_hours=support_hours(services),
    )


class ActionHandoffInfo(ShopAction):
    def name(self) -> Text:
        return "action_handoff_info"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        handoff_info(dispatcher, services)
        return [SlotSet("awaiting_confirmation", None)]


class ActionOfferHandoff(ShopAction):
    """A complaint or a payment problem: answer, then offer a person."""

    def name(self) -> Text:
        return "action_offer_handoff"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        intent = tracker.get_intent_of_latest_message()
        dispatcher.utter_message(response="utter_payment_issue" if intent == "payment_issue" else "utter_complaint")
        return [SlotSet("awaiting_confirmation", "handoff")]


def consecutive_fallbacks(tracker: Tracker) -> int:
    count = 0
    for event in user_events_reversed(tracker):
        if intent_of(event) != FALLBACK:
            break
        count += 1
    return count


class ActionFallback(ShopAction):
    """Not understood: list what the bot can do; the second time in a row, offer a person."""

    def name(self) -> Text:
        return "action_fallback"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        order_ids = [e["value"] for e in tracker.latest_message.get("entities", []) if e.get("entity") == "order_id"]
        if order_ids and tracker.get_intent_of_latest_message() in ("inform", FALLBACK):
            dispatcher.utter_message(response="utter_what_about_order", order_id=order_ids[0])
            return []
        if about_last_product(tracker):  # "any left in M?" right after product results
            return ActionProductQuestion().perform(dispatcher, tracker, services)
        if tracker.get_intent_of_latest_message() == FALLBACK and answer_shop_question(dispatcher, tracker, services):
            return []  # a shop question the guides answer, in words the NLU did not expect
        if consecutive_fallbacks(tracker) >= 2:
            dispatcher.utter_message(response="utter_fallback_offer_human")
            return [SlotSet("awaiting_confirmation", "handoff")]
        dispatcher.utter_message(response="utter_fallback_help")
        return []
