"""Verification before disclosure: order number plus the email on the order.

``order_verification_form`` collects both; this module validates them against
the shop database, counts failed attempts and locks verification for the
conversation after ``max_verification_attempts`` (policy.yml). Once verified,
the customer stays verified for the conversation: their other orders need no
new check.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    DomainDict,
    Events,
    ShopAction,
    ShopFormValidation,
    first,
    session_mark,
    verified_customer,
)
from actions.handoff import start_handoff
from actions.order_tasks import ORDER_TASKS
from actions.personal import choose_order
from actions.services import Services, get_services
from assistant.shop.commerce.order_ids import normalize_order_id
from assistant.shop.commerce.verification import normalize_email
from assistant.shop.support.handoff_rules import VERIFICATION_FAILED

logger = logging.getLogger(__name__)

class ActionStartOrderTask(ShopAction):
    """Remembers which order task the shopper asked for, to run once verified."""

    def name(self) -> Text:
        return "action_start_order_task"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        intent = tracker.get_intent_of_latest_message()
        task = intent if intent in ORDER_TASKS else tracker.get_slot("pending_task")
        events: Events = [SlotSet("pending_task", task), SlotSet("awaiting_confirmation", None)]
        # verified and no order named: the only matching order, or the form offers them (actions.personal)
        chosen = choose_order(tracker, services, task) if intent in ORDER_TASKS else []
        return [*events, *chosen]


class ValidateOrderVerificationForm(ShopFormValidation):
    """Checks the order number and email; never reveals anything before a match."""

    def name(self) -> Text:
        return "validate_order_verification_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        # Locked after too many failures: end the form; the task action explains.
        if tracker.get_slot("verification_locked"):
            return []
        return domain_slots

    async def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return await self.in_thread(self._check_order_id, value, dispatcher, tracker)

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return await self.in_thread(self._check_email, value, dispatcher, tracker)

    def _check_order_id(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        services = get_services()
        order_id = normalize_order_id(str(first(value) or ""))
        if order_id is None:
            dispatcher.utter_message(response="utter_order_id_invalid")
            return {"order_id": None}
        if services.shop.verifications.locked(order_id=order_id, conversation_id=tracker.sender_id):
            return self._locked(dispatcher, tracker)
        customer_id = verified_customer(tracker, services)
        order = services.orders.get_order(order_id)
        if customer_id is not None and order is not None and order.customer_id == customer_id:
            return {"order_id": order_id, "email": tracker.get_slot("verified_email")}
        email = first(tracker.get_slot("email"))
        if email and "email" not in tracker.slots_to_validate():
            return self._verify(order_id, str(email), dispatcher, tracker, services)
        # Someone else's order, an unknown number, or the first check: the email decides, and the reply
        # never tells whether the number exists.
        return {"order_id": order_id, "email": email if email and customer_id is None else None}

    def _check_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        services = get_services()
        email = normalize_email(str(first(value) or ""))
        if email is None:
            dispatcher.utter_message(response="utter_email_invalid")
            return {"email": None}
        raw_order = first(tracker.get_slot("order_id"))
        order_id = normalize_order_id(str(raw_order)) if raw_order else None
        if order_id is None:
            return {"email": email}  # the order number is asked next
        return self._verify(order_id, email, dispatcher, tracker, services)

    def _verify(
        self, order_id: str, email: str, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services
    ) -> Dict[Text, Any]:
        ledger = services.shop.verifications
        if ledger.locked(order_id=order_id, email=email, conversation_id=tracker.sender_id):
            return self._locked(dispatcher, tracker)
        result = services.verifier.verify(order_id, email)
        if result.status == "ok":
            logger.info("conversation %s verified for an order", tracker.sender_id)
            ledger.remember(tracker.sender_id, int(result.customer_id), session_mark(tracker))
            _link_identity(services, result.customer_id, tracker)
            return {
                "order_id": result.order_id,
                "email": normalize_email(email),
                "verified_customer_id": str(result.customer_id),
                "verified_email": normalize_email(email),
            }
        # An unknown order and a wrong email read the same, so the reply tells nothing about the order.
        lock = ledger.record_failure(order_id, email, tracker.sender_id)
        failures, _ = services.shop.attempts.register_failure(tracker.get_slot("verification_failures"))
        if lock is not None:
            logger.warning("conversation %s: verification locked (%s limit reached)", tracker.sender_id, lock)
            return {"email": None, "verification_failures": float(failures), "verification_locked": True}
        dispatcher.utter_message(response="utter_verification_failed")
        return {"email": None, "verification_failures": float(failures), "verification_locked": False}

    @staticmethod
    def _locked(dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """Locked before this attempt (this conversation, this order or this email failed too often)."""
        logger.warning("conversation %s: verification refused while locked", tracker.sender_id)
        return {"order_id": None, "email": None, "verification_locked": True}


def _link_identity(services: Services, customer_id: Any, tracker: Tracker) -> None:
    """Remembers this channel's sender as the customer (omnichannel identity); never blocks verification."""
    try:
        channel = tracker.get_latest_input_channel() or "rest"
        services.shop.identities.link(int(customer_id), channel, tracker.sender_id)
    except Exception:  # noqa: BLE001 - the shopper is verified either way; the log gets the trace
        logger.exception("conversation %s: linking the channel identity failed", tracker.sender_id)


def locked_reply(dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
    """Verification is locked: a conversation that failed too often itself is handed to a person (one
    ticket); one locked because the order or email was tried too often elsewhere is asked to wait, so a
    guesser cannot flood the support queue with tickets."""
    own = services.shop.attempts.is_locked(tracker.get_slot("verification_failures"))
    if not own:
        dispatcher.utter_message(response="utter_verification_paused")
        # the database decides again next time (the lock lasts an hour), not this conversation's slot
        return [SlotSet("pending_task", None), SlotSet("verification_locked", False)]
    dispatcher.utter_message(
        response="utter_verification_locked", attempts=services.policy.max_verification_attempts
    )
    return [SlotSet("pending_task", None), *start_handoff(dispatcher, tracker, services, VERIFICATION_FAILED)]

