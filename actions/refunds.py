"""Refunds and returns: eligibility, one refund per order, status, and the policy.

The rules (window, final sale, processing time) live in ``assistant/shop/commerce/policy.yml``.
"""
from __future__ import annotations

from typing import Any, Dict

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events
from actions.services import Services
from actions.surveys import task_done
from assistant.i18n.formatting import day, money
from assistant.i18n.phrases import maybe_phrase, phrase
from assistant.shop.commerce.refunds import Eligibility
from assistant.shop.commerce.views import OrderView, RefundView

REFUND_STATUSES = ("requested", "approved", "refunded", "rejected")


def refund_facts(refund: RefundView) -> Dict[str, Any]:
    return {
        "refund_id": refund.id,
        "order_id": refund.order_id,
        "amount": money(refund.amount, refund.currency),
        "refund_status": maybe_phrase(f"refund_status.{refund.status}", refund.status),
        "kind": maybe_phrase(f"refund_kind.{refund.kind}", refund.kind),
        "created_on": day(refund.created_at),
        "expected_by": day(refund.expected_by),
    }


def _not_eligible(dispatcher: CollectingDispatcher, order: OrderView, eligibility: Eligibility,
                  services: Services) -> Events:
    facts = {
        "order_id": order.id,
        "status": maybe_phrase(f"status.{order.status}", order.status),
        "delivered_on": day(order.delivered_at),
        "return_window_days": services.policy.return_window_days,
        "support_email": services.settings.support_email,
    }
    if eligibility.reason in ("already_refunded", "returned"):
        existing = services.refunds.refund_status(order.id)
        if existing is not None:
            dispatcher.utter_message(response="utter_refund_exists", **refund_facts(existing))
            return []
    if eligibility.reason == "cancelled":
        existing = services.refunds.refund_status(order.id)
        note = (
            phrase("note.cancelled_refund", refund_id=existing.id, amount=money(existing.amount, existing.currency),
                   status=maybe_phrase(f"refund_status.{existing.status}", existing.status))
            if existing else phrase("note.cancelled_unpaid")
        )
        dispatcher.utter_message(response="utter_refund_not_eligible_cancelled", cancel_refund_note=note, **facts)
        return []
    reason = eligibility.reason if eligibility.reason in ("window_expired", "final_sale") else "not_delivered"
    dispatcher.utter_message(response=f"utter_refund_not_eligible_{reason}", **facts)
    return []


def _offer(kind: str, dispatcher: CollectingDispatcher, order: OrderView, services: Services) -> Events:
    existing = services.refunds.refund_status(order.id)
    if existing is not None:
        dispatcher.utter_message(response="utter_refund_exists", **refund_facts(existing))
        return []
    eligibility = services.refunds.eligibility(order.id)
    if not eligibility.eligible:
        return _not_eligible(dispatcher, order, eligibility, services)
    excluded = ", ".join(item.name for item in eligibility.excluded_items)
    dispatcher.utter_message(
        response=f"utter_confirm_{kind}",
        order_id=order.id,
        amount=money(eligibility.amount, eligibility.currency or order.currency),
        excluded_note=phrase("note.final_sale_excluded", items=excluded) if excluded else "",
        days_left=eligibility.days_left,
        return_window_days=services.policy.return_window_days,
    )
    return [SlotSet("awaiting_confirmation", f"{kind}:{order.id}")]


def offer_refund(dispatcher: CollectingDispatcher, order: OrderView, services: Services) -> Events:
    return _offer("refund", dispatcher, order, services)


def offer_return(dispatcher: CollectingDispatcher, order: OrderView, services: Services) -> Events:
    return _offer("return", dispatcher, order, services)


def create_refund(dispatcher: CollectingDispatcher, tracker: Tracker, order: OrderView, kind: str,
                  services: Services) -> Events:
    """Opens the refund or return; a repeated request shows the existing one."""
    result = services.refunds.request_refund(order.id, kind=kind, conversation_id=tracker.sender_id)
    if result.refund is None:
        return _not_eligible(dispatcher, order, result.eligibility, services)
    facts = {**refund_facts(result.refund), "return_window_days": services.policy.return_window_days}
    if not result.created:
        dispatcher.utter_message(response="utter_refund_exists", **facts)
    else:
        dispatcher.utter_message(response=f"utter_{kind}_created", **facts)
        return [task_done()]  # opened by the bot alone: record it, maybe ask NPS/CES
    return []


def tell_refund_status(dispatcher: CollectingDispatcher, order: OrderView, services: Services) -> Events:
    refund = services.refunds.refund_status(order.id)
    if refund is None:
        dispatcher.utter_message(response="utter_refund_status_none", order_id=order.id)
        return []
    facts = refund_facts(refund)
    detail = maybe_phrase(f"refund_detail.{refund.status}", "", **facts) if refund.status in REFUND_STATUSES else ""
    dispatcher.utter_message(response="utter_refund_status", status_detail=detail, **facts)
    return []
