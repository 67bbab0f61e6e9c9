"""Order tasks that run once the shopper is verified: status, cancel, change, address.

``action_run_order_task`` dispatches on the ``pending_task`` slot that
``action_start_order_task`` set. Questions that need a yes/no set
``awaiting_confirmation`` ("cancel:SO123456", "address:SO123456", ...);
``actions.confirmation`` carries out the answer.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import refunds, surveys
from actions.base import DomainDict, Events, ShopAction, ShopFormValidation, verified_order
from actions.order_tasks import ORDER_TASKS
from actions.services import Services, get_services
from actions.verification import locked_reply
from assistant.i18n.formatting import day, money
from assistant.i18n.phrases import current_language, language_of, maybe_phrase, phrase
from assistant.shop.commerce.address import Address, Problem, parse_address, validate_address
from assistant.shop.commerce.views import OrderItemView, OrderView

ADDRESS_SLOTS = {
    "street": "address_street",
    "city": "address_city",
    "postal_code": "address_postal_code",
    "country": "address_country",
}


def items_summary(items: Iterable[OrderItemView], limit: int = 3) -> str:
    items = list(items)
    parts = []
    for item in items[:limit]:
        details = phrase("product.line_separator").join(
            maybe_phrase(f"{kind}.{value}", value) for kind, value in (("color", item.color), ("size", item.size))
            if value)
        label = f"{item.quantity}× {item.name}" if item.quantity > 1 else item.name
        parts.append(f"{label} ({details})" if details and current_language() == "en"
                     else f"{label}（{details}）" if details else label)
    if len(items) > limit:
        parts.append(phrase("note.items_more", count=len(items) - limit))
    return phrase("note.items_separator").join(parts)


def order_facts(order: OrderView) -> Dict[str, Any]:
    """The values order replies may use."""
    return {
        "order_id": order.id,
        "status": maybe_phrase(f"status.{order.status}", order.status),
        "status_verb": maybe_phrase(f"status_verb.{order.status}", order.status),
        "items": items_summary(order.items),
        "total": money(order.total, order.currency),
        "ship_by": day(order.ship_by),
        "shipped_on": day(order.shipped_at),
        "carrier": order.carrier or "",
        "tracking_number": order.tracking_number or "",
        "tracking_url": order.tracking_url or "",
        "estimated_delivery": day(order.estimated_delivery),
        "delivered_on": day(order.delivered_at),
        "cancelled_on": day(order.cancelled_at),
        "returned_on": day(order.returned_at),
        "current_address": order.address.one_line(),
    }


def tell_status(dispatcher: CollectingDispatcher, order: OrderView, services: Services) -> Events:
    dispatcher.utter_message(response=f"utter_order_status_{order.status}", **order_facts(order))
    return [surveys.task_done()]  # the bot alone answered: record it, maybe ask NPS/CES


def offer_cancel(dispatcher: CollectingDispatcher, order: OrderView, services: Services) -> Events:
    facts = order_facts(order)
    if order.status in services.policy.cancellable_statuses:
        dispatcher.utter_message(response="utter_confirm_cancel", **facts)
        return [SlotSet("awaiting_confirmation", f"cancel:{order.id}")]
    if order.status == "cancelled":
        dispatcher.utter_message(response="utter_cancel_already_cancelled", **facts)
    elif order.status == "returned":
        dispatcher.utter_message(response="utter_cancel_not_possible_returned", **facts)
    else:
        dispatcher.utter_message(
            response="utter_cancel_not_possible_shipped",
            return_window_days=services.policy.return_window_days,
            **facts,
        )
    return []


def explain_change(dispatcher: CollectingDispatcher, order: OrderView, services: Services) -> Events:
    facts = order_facts(order)
    if order.status in services.policy.cancellable_statuses:
        dispatcher.utter_message(
            response="utter_change_order_possible", support_email=services.settings.support_email, **facts
        )
    elif order.status == "cancelled":
        dispatcher.utter_message(response="utter_cancel_already_cancelled", **facts)
    else:
        dispatcher.utter_message(
            response="utter_change_order_not_possible",
            return_window_days=services.policy.return_window_days,
            **facts,
        )
    return []


def start_address_change(dispatcher: CollectingDispatcher, order: OrderView, services: Services) -> Events:
    facts = order_facts(order)
    if order.status in services.policy.address_change_statuses:
        dispatcher.utter_message(response="utter_address_change_start", **facts)
        return [*(SlotSet(slot, None) for slot in ADDRESS_SLOTS.values()), FollowupAction("address_form")]
    if order.status in ("cancelled", "returned"):
        dispatcher.utter_message(response="utter_address_not_possible_closed", **facts)
    else:
        dispatcher.utter_message(response="utter_address_not_possible", **facts)
    return []


_HANDLERS: Dict[str, Callable[[CollectingDispatcher, OrderView, Services], Events]] = {
    "order_status": tell_status,
    "cancel_order": offer_cancel,
    "change_order": explain_change,
    "change_shipping_address": start_address_change,
    "request_refund": refunds.offer_refund,
    "return_item": refunds.offer_return,
    "refund_status": refunds.tell_refund_status,
}
# one handler per registered order task, in the registry's order (a task without a handler fails here)
TASKS = {intent: _HANDLERS[intent] for intent in ORDER_TASKS}


class ActionRunOrderTask(ShopAction):
    """Runs the pending order task for a verified shopper."""

    def name(self) -> Text:
        return "action_run_order_task"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        order = verified_order(tracker, services)
        if order is None:
            if tracker.get_slot("verification_locked"):
                return locked_reply(dispatcher, tracker, services)
            dispatcher.utter_message(response="utter_ok_stopped")
            return [SlotSet("pending_task", None)]
        task = TASKS.get(tracker.get_slot("pending_task") or "order_status", tell_status)
        return [SlotSet("pending_task", None), SlotSet("current_order_id", order.id),
                *task(dispatcher, order, services)]


class ValidateAddressForm(ShopFormValidation):
    """Validates the new delivery address field by field, per country."""

    def name(self) -> Text:
        return "validate_address_form"

    async def validate_address_street(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        parsed = {k: v for k, v in parse_address(str(value or "")).items() if v}
        if len(parsed) < 2:  # just a street line
            parsed = {"street": str(value or "")}
        return await self.in_thread(self._check, dispatcher, tracker, {ADDRESS_SLOTS[k]: v for k, v in parsed.items()})

    async def validate_address_city(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return await self.in_thread(self._check, dispatcher, tracker, {"address_city": value})

    async def validate_address_country(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        return await self.in_thread(self._check, dispatcher, tracker, {"address_country": value})

    async def validate_address_postal_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                           domain: DomainDict) -> Dict[Text, Any]:
        return await self.in_thread(self._check, dispatcher, tracker, {"address_postal_code": value})

    @staticmethod
    def _check(dispatcher: CollectingDispatcher, tracker: Tracker, updates: Dict[Text, Any]) -> Dict[Text, Any]:
        """Validates the given fields against everything known; unknown fields are not errors yet."""
        values = {field: tracker.get_slot(slot) for field, slot in ADDRESS_SLOTS.items()}
        values.update({field: updates[slot] for field, slot in ADDRESS_SLOTS.items() if slot in updates})
        result = validate_address(**values, policy=get_services().policy)
        checked: Dict[Text, Any] = {}
        for field, slot in ADDRESS_SLOTS.items():
            if slot not in updates:
                continue
            problem = result.errors.get(field)
            # A postal code can only be judged once the country is known.
            if problem and not (field == "postal_code" and not values.get("country")):
                dispatcher.utter_message(response="utter_address_invalid",
                                         problem=local_problem(problem, language_of(tracker)))
                checked[slot] = None
            else:
                checked[slot] = str(updates[slot]).strip()
        return checked


def local_problem(problem: str, language: str | None = None) -> str:
    """An address problem in the shopper's language (its code picks the phrase; English otherwise)."""
    if isinstance(problem, Problem):
        return maybe_phrase(f"address.{problem.code}", str(problem), language, **problem.params)
    return str(problem)


def address_from_slots(tracker: Tracker, services: Services) -> tuple[Address | None, Dict[str, str]]:
    values = {field: tracker.get_slot(slot) for field, slot in ADDRESS_SLOTS.items()}
    result = validate_address(**values, policy=services.policy)
    return result.address, result.errors


class ActionAskAddressConfirmation(ShopAction):
    """Shows the complete, normalised new address and asks to save it."""

    def name(self) -> Text:
        return "action_ask_address_confirmation"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        order = verified_order(tracker, services, tracker.get_slot("current_order_id"))
        if order is None:
            dispatcher.utter_message(response="utter_ok_stopped")
            return []
        address, errors = address_from_slots(tracker, services)
        if address is None:
            # Fields that were fine alone may clash (e.g. postal code vs country): ask again.
            for problem in errors.values():
                dispatcher.utter_message(response="utter_address_invalid", problem=local_problem(problem))
            bad: List[Dict[Text, Any]] = [SlotSet(ADDRESS_SLOTS[field], None) for field in errors]
            return [*bad, FollowupAction("address_form")]
        dispatcher.utter_message(response="utter_confirm_address", order_id=order.id, new_address=address.one_line())
        return [SlotSet("awaiting_confirmation", f"address:{order.id}")]
