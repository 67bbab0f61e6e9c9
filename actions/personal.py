"""The personal touch: a greeting by first name, a verified shopper's open orders as buttons, and product
suggestions from their past orders.

What is personal, and when (README "Personal touch and reviews"): before verification, only the first
name of a shopper recognised from a linked channel (``ChannelIdentity``); after verification, their open
orders and suggestions. Every decision reads the verification from the database (``verified_customer``),
never from a slot alone.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ShopAction, verified_customer
from actions.services import Services
from assistant.i18n.formatting import day, money
from assistant.i18n.phrases import maybe_phrase, phrase
from assistant.shop.commerce.personal import OPEN_STATUSES, OpenOrderLine, Suggestion

logger = logging.getLogger(__name__)

# the order tasks where a verified shopper picks among their orders instead of typing a number
CHOOSABLE_TASKS = ("order_status", "cancel_order", "return_item")
ASK_ORDER_ID = "utter_ask_order_verification_form_order_id"


def task_statuses(task: Optional[str], services: Services) -> Optional[Sequence[str]]:
    """The order statuses a task applies to (None: the task is not offered as a choice)."""
    if task == "order_status":
        return OPEN_STATUSES
    if task == "cancel_order":
        return services.policy.cancellable_statuses
    if task == "return_item":
        return ("delivered",)
    return None


def candidate_orders(tracker: Tracker, services: Services, task: Optional[str] = None
                     ) -> Optional[List[OpenOrderLine]]:
    """The verified customer's orders ``task`` (default: the pending one) could mean; None if not verified
    or the task is not one to choose an order for."""
    task = task or tracker.get_slot("pending_task")
    statuses = task_statuses(task, services) if task in CHOOSABLE_TASKS else None
    customer_id = verified_customer(tracker, services)
    if statuses is None or customer_id is None:
        return None
    return services.shop.personal.open_orders(customer_id, statuses)


def order_button(line: OpenOrderLine, task: str) -> Dict[str, str]:
    """``SO123456 · 12 Mar 2025 · Trail Tee (+1) · shipped``; the payload names the task and the order."""
    first = line.first_item + (f" (+{line.item_count - 1})" if line.item_count > 1 else "")
    title = " · ".join(part for part in (line.id, day(line.created_at), first,
                                         maybe_phrase(f"status.{line.status}", line.status)) if part)
    return {"title": title, "payload": f'/{task}{{"order_id":"{line.id}"}}'}


def choose_order(tracker: Tracker, services: Services, task: Optional[str]) -> Events:
    """For ``action_start_order_task``: a verified shopper who names no order gets their only matching
    order directly; with several or none, ``order_id`` is cleared so the form asks (with buttons)."""
    if list(tracker.get_latest_entity_values("order_id")):
        return []
    lines = candidate_orders(tracker, services, task)
    if lines is None:
        return []
    if len(lines) == 1:
        return [SlotSet("order_id", lines[0].id)]
    # "cancel it" / "return it" right after an order was discussed means that order (the task still asks
    # for confirmation); a new "where is my order?" may mean another one, so it gets the choice
    current = tracker.get_slot("current_order_id")
    if task != "order_status" and current and any(line.id == current for line in lines):
        return [SlotSet("order_id", current)]
    return [SlotSet("order_id", None)]


class ActionAskOrderId(ShopAction):
    """How the verification form asks for the order number: a verified shopper gets their open orders as
    buttons (or hears there are none); everybody else is asked to type the number."""

    def name(self) -> Text:
        return "action_ask_order_verification_form_order_id"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        lines = candidate_orders(tracker, services)
        if lines:
            task = tracker.get_slot("pending_task")
            dispatcher.utter_message(response="utter_choose_open_order", count=len(lines),
                                     buttons=[order_button(line, task) for line in lines])
            return []
        if lines is not None:  # verified, nothing the task applies to
            dispatcher.utter_message(response=f"utter_no_open_orders_{tracker.get_slot('pending_task')}")
        dispatcher.utter_message(response=ASK_ORDER_ID)
        return []


class ActionGreet(ShopAction):
    """Hello, by first name for a shopper this channel knows (verified before, or in this conversation)."""

    def name(self) -> Text:
        return "action_greet"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        name = self._first_name(tracker, services)
        if name:
            dispatcher.utter_message(response="utter_greet_by_name", first_name=name)
        else:
            dispatcher.utter_message(response="utter_greet")
        return []

    @staticmethod
    def _first_name(tracker: Tracker, services: Services) -> Optional[str]:
        customer_id = verified_customer(tracker, services)
        if customer_id is None:
            channel = tracker.get_latest_input_channel() or "rest"
            try:
                customer_id = services.shop.identities.customer_for(channel, tracker.sender_id)
            except Exception:  # noqa: BLE001 - a greeting never fails for want of a name
                logger.exception("conversation %s: looking up the channel identity failed", tracker.sender_id)
                return None
        return services.shop.personal.first_name(customer_id) if customer_id is not None else None


def suggestion_card(suggestion: Suggestion) -> Dict[str, Any]:
    return {"sku": suggestion.sku, "name": suggestion.name, "price": float(suggestion.price),
            "currency": suggestion.currency, "price_text": money(suggestion.price, suggestion.currency),
            "rating": suggestion.rating, "review_count": suggestion.review_count, "url": suggestion.url,
            "image": suggestion.image}


def suggestion_line(number: int, suggestion: Suggestion) -> str:
    parts = [money(suggestion.price, suggestion.currency)]
    if suggestion.size:
        parts.append(phrase("personal.in_your_size", size=suggestion.size))
    if suggestion.rating:
        parts.append(f"★ {suggestion.rating:.1f}")
    return f"{number}. {suggestion.name}: {', '.join(parts)}"


class ActionSuggestProducts(ShopAction):
    """Ideas from the verified shopper's past orders: same categories, their size, in stock, not owned."""

    def name(self) -> Text:
        return "action_suggest_products"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        customer_id = verified_customer(tracker, services)
        if customer_id is None:
            dispatcher.utter_message(response="utter_suggestions_need_verification")
            return []
        picks = services.shop.personal.suggestions(customer_id, limit=3)
        if not picks:
            dispatcher.utter_message(response="utter_no_suggestions")
            return []
        lines = "\n".join(suggestion_line(i, s) for i, s in enumerate(picks, start=1))
        dispatcher.utter_message(response="utter_suggestions", results=lines,
                                 json_message={"type": "product_carousel", "total": len(picks), "offset": 0,
                                               "products": [suggestion_card(s) for s in picks]})
        return [SlotSet("last_product_sku", picks[0].sku)]
