"""Shipping, delivery time and payment answers, composed from the shop policy file."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ShopAction
from actions.formatting import money
from actions.services import Services
from actions.shop.countries import country_name


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class ActionDeliveryOptions(ShopAction):
    def name(self) -> Text:
        return "action_delivery_options"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        policy = services.policy
        countries = _join([country_name(code) for code in policy.supported_countries])
        text = (
            f"{policy.shipping_policy_text} We ship with {_join(list(policy.carriers))} to {countries}."
        )
        dispatcher.utter_message(response="utter_delivery_options", text=text)
        return []


class ActionDeliveryTime(ShopAction):
    def name(self) -> Text:
        return "action_delivery_time"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        policy = services.policy
        transit = [c.transit_days for c in policy.carriers.values()]
        per_carrier = ", ".join(f"{c.name} {c.transit_days}" for c in policy.carriers.values())
        paid = policy.handling_days.get("paid", 1)
        text = (
            f"Orders ship within {paid} business day{'s' if paid != 1 else ''} of payment. After that, delivery "
            f"takes {min(transit)} to {max(transit)} business days depending on the carrier ({per_carrier} days). "
            "Every shipment has a tracking number, and once you've ordered I can tell you its expected delivery date."
        )
        dispatcher.utter_message(response="utter_delivery_time", text=text)
        return []


class ActionPaymentMethods(ShopAction):
    def name(self) -> Text:
        return "action_payment_methods"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        policy = services.policy
        text = (
            f"We accept {_join(list(policy.payment_methods))}. Prices are in {policy.currency}"
            + (
                f", and shipping is free on orders over {money(policy.free_shipping_threshold, policy.currency)}."
                if policy.free_shipping_threshold is not None else "."
            )
        )
        dispatcher.utter_message(response="utter_payment_methods", text=text)
        return []
