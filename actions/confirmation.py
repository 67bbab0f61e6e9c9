"""Carries out the shopper's yes or no to the question the bot just asked.

The asking action stores what is being confirmed in ``awaiting_confirmation``
("cancel:SO123456", "refund:...", "return:...", "address:...", "handoff:<reason>").
A yes or no only counts for a question from the bot's last turn.
"""
from __future__ import annotations

from typing import Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ShopAction, pending_confirmation, verified_order
from actions.handoff import start_handoff
from actions.orders import address_from_slots, local_problem
from actions.refunds import create_refund
from actions.services import Services
from actions.surveys import task_done
from assistant.i18n.formatting import day, money
from assistant.i18n.phrases import current_language, maybe_phrase, phrase
from assistant.shop.support.handoff_rules import REQUESTED

CLEAR = SlotSet("awaiting_confirmation", None)


def _pending(tracker: Tracker) -> Tuple[Optional[str], Optional[str]]:
    value = pending_confirmation(tracker)
    if not value:
        return None, None
    kind, _, order_id = value.partition(":")
    return kind, order_id or None


def _cancel(dispatcher: CollectingDispatcher, order_id: str, services: Services) -> bool:
    """Cancels the order and says how it went; True when this cancelled it."""
    result = services.orders.cancel_order(order_id)
    if result.reason == "cancelled" and result.refund is not None:
        dispatcher.utter_message(
            response="utter_cancelled_with_refund",
            order_id=order_id,
            refund_id=result.refund.id,
            amount=money(result.refund.amount, result.refund.currency),
            expected_by=day(result.refund.expected_by),
        )
    elif result.reason == "cancelled":
        dispatcher.utter_message(response="utter_cancelled", order_id=order_id)
    elif result.reason == "already_cancelled":
        dispatcher.utter_message(response="utter_cancel_already_cancelled", order_id=order_id)
    else:  # shipped in the meantime
        dispatcher.utter_message(
            response="utter_cancel_not_possible_shipped",
            order_id=order_id,
            status_verb=maybe_phrase("status_verb.shipped", "shipped"),
            return_window_days=services.policy.return_window_days,
        )
    return result.reason == "cancelled"


class ActionHandleAffirm(ShopAction):
    def name(self) -> Text:
        return "action_handle_affirm"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        kind, order_id = _pending(tracker)
        if kind == "handoff":  # here order_id carries the reason: complaint, payment_issue, kb_abstention...
            return start_handoff(dispatcher, tracker, services, order_id or REQUESTED)
        order = verified_order(tracker, services, order_id) if order_id else None
        if order is None:
            dispatcher.utter_message(response="utter_ok")
            return [CLEAR]
        done: Events = []  # a result the bot reached alone ends with task_done() (actions/surveys.py)
        if kind == "cancel":
            done = [task_done()] if _cancel(dispatcher, order.id, services) else []
        elif kind in ("refund", "return"):
            done = create_refund(dispatcher, tracker, order, kind, services)
        elif kind == "address":
            address, errors = address_from_slots(tracker, services)
            result = (services.orders.change_address(order.id, address, conversation_id=tracker.sender_id)
                      if address else None)
            if result is not None and result.ok:
                dispatcher.utter_message(response="utter_address_changed", order_id=order.id,
                                         new_address=address.one_line())
                done = [task_done()]
            elif result is None or result.reason in ("unsupported_country", "not_found"):
                # the address itself (no longer) passes: say why, in the shopper's language
                problem = next(iter(errors.values()), None) if errors else None
                dispatcher.utter_message(response="utter_address_invalid",
                                         problem=local_problem(problem, current_language()) if problem
                                         else phrase("address.not_usable"))
            else:  # the order moved on meanwhile (shipped, cancelled): its status, in the shopper's words
                now = services.orders.get_order(order.id) or order
                dispatcher.utter_message(response="utter_address_not_possible_closed", order_id=order.id,
                                         status=maybe_phrase(f"status.{now.status}", now.status))
        else:
            dispatcher.utter_message(response="utter_ok")
        return [CLEAR, *done]


class ActionHandleDeny(ShopAction):
    def name(self) -> Text:
        return "action_handle_deny"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        kind, order_id = _pending(tracker)
        replies = {
            "cancel": "utter_cancel_kept",
            "refund": "utter_refund_not_started",
            "return": "utter_refund_not_started",
            "address": "utter_address_kept",
        }
        if kind in replies and order_id:
            dispatcher.utter_message(response=replies[kind], order_id=order_id)
        else:
            dispatcher.utter_message(response="utter_no_worries")
        return [CLEAR]
