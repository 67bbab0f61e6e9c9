"""What every shop action shares: error handling and tracker helpers.

An action subclasses :class:`ShopAction` and implements ``perform`` (plain,
synchronous code calling domain services). ``run`` executes it in a worker
thread so database calls never block the action server's event loop, and turns
any unexpected error into the ``utter_technical_problem`` reply.

A form's validation subclasses :class:`ShopFormValidation`: its ``validate_<slot>`` methods are async
and hand their work to :meth:`ShopFormValidation.in_thread`; an unexpected error gets the same reply,
and the slots being validated are cleared, so nothing unchecked is accepted.

A ``FollowupAction`` to an action registered in :data:`INLINE_FOLLOWUPS` is run in the same call
instead (``actions.surveys``: recording a result and maybe asking NPS/CES after it), which saves Rasa
a second action-server round trip (the tracker and the domain serialised again) on that message.
"""
from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, Iterator, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.services import Services, get_services
from assistant.i18n.phrases import language_of, speaking
from assistant.runtime.settings import get_settings
from assistant.shop.commerce.order_ids import normalize_order_id
from assistant.shop.commerce.views import OrderView

logger = logging.getLogger(__name__)

# what an action returns: rasa-sdk's event dicts
Events = List[EventType]
# follow-up actions that need nothing Rasa computes between two actions, run in the action that asks for
# them: action name -> what it does (dispatcher, tracker, services) -> events; registered by their module
INLINE_FOLLOWUPS: Dict[str, Callable[[CollectingDispatcher, Tracker, "Services"], Events]] = {}


def run_inline_followups(events: Events, dispatcher: CollectingDispatcher, tracker: Tracker,
                         services: Services) -> Events:
    """``events`` with each follow-up registered in :data:`INLINE_FOLLOWUPS` replaced by its own events."""
    result: Events = []
    for event in events:
        follow = INLINE_FOLLOWUPS.get(event.get("name")) if event.get("event") == "followup" else None
        result.extend(follow(dispatcher, tracker, services) if follow is not None else [event])
    return result


class ShopAction(Action, ABC):
    """Base class: run ``perform`` off the event loop, reply politely on failure."""

    @abstractmethod
    def name(self) -> Text:
        """The action's name in the domain."""

    @abstractmethod
    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        """Reads the tracker, calls domain services, dispatches replies, returns events."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        try:
            services = get_services()
            with speaking(language_of(tracker)):  # to_thread copies the context: perform sees the language
                return await asyncio.to_thread(self._perform_and_followups, dispatcher, tracker, services)
        except Exception:  # noqa: BLE001 - the shopper must get an answer, the log gets the trace
            logger.exception("action %s failed for conversation %s", self.name(), tracker.sender_id)
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_technical_problem", support_email=support_email())
            return []

    def _perform_and_followups(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        return run_inline_followups(self.perform(dispatcher, tracker, services), dispatcher, tracker, services)


class ShopFormValidation(FormValidationAction, ABC):
    """Validates a form's slots in the shopper's language, off the event loop, behind the polite failure."""

    @abstractmethod
    def name(self) -> Text:
        """``validate_<form name>``."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        try:
            with speaking(language_of(tracker)):
                return await super().run(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - the shopper must get an answer, the log gets the trace
            logger.exception("validation %s failed for conversation %s", self.name(), tracker.sender_id)
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_technical_problem", support_email=support_email())
            return [SlotSet(slot, None) for slot in tracker.slots_to_validate()]

    @staticmethod
    async def in_thread(check: Any, *args: Any) -> Dict[Text, Any]:
        """Runs a synchronous check (database, policy) in a worker thread, with the shopper's language."""
        return await asyncio.to_thread(check, *args)


def support_email() -> str:
    try:
        return get_services().settings.support_email
    except Exception:  # noqa: BLE001 - used while reporting another failure
        return get_settings().support_email


def user_events_reversed(tracker: Tracker) -> Iterator[Dict[Text, Any]]:
    return (event for event in reversed(tracker.events) if event.get("event") == "user")


def intent_of(user_event: Dict[Text, Any]) -> Optional[str]:
    return (user_event.get("parse_data") or {}).get("intent", {}).get("name")


def first(value: Any) -> Any:
    """Slot values from several entities arrive as lists; use the first."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def slot_order_id(tracker: Tracker) -> Optional[str]:
    raw = first(tracker.get_slot("order_id"))
    return normalize_order_id(str(raw)) if raw else None


def session_mark(tracker: Tracker) -> str:
    """When the conversation's current Rasa session started (a verification holds for that session only)."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return f"{float(event.get('timestamp') or 0):.6f}"
    return ""


def verified_customer(tracker: Tracker, services: Services) -> Optional[int]:
    """The customer this conversation proved itself to be, in this session and still active.

    The slot alone is not believed (a tracker can be forged or a sender id claimed): the database must
    hold the same verification for this conversation and session (``VerificationLedger``).
    """
    raw = tracker.get_slot("verified_customer_id")
    try:
        claimed = int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None
    if claimed is None:
        return None
    held = services.shop.verifications.current(tracker.sender_id, session_mark(tracker))
    return claimed if held == claimed else None


def verified_order(tracker: Tracker, services: Services, order_id: Optional[str] = None) -> Optional[OrderView]:
    """The order in the conversation, only if the verified customer owns it."""
    order_id = order_id or slot_order_id(tracker)
    customer_id = verified_customer(tracker, services)
    if not order_id or customer_id is None:
        return None
    order = services.orders.get_order(order_id)
    if order is None or order.customer_id != customer_id:
        return None
    return order


def pending_confirmation(tracker: Tracker) -> Optional[str]:
    """What the shopper's yes/no answers: the question asked in the bot's last turn.

    A question counts only if it was asked after the shopper's previous message,
    so a stale question is never confirmed by a later, unrelated "yes".
    """
    seen_latest_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest_user:
                return None
            seen_latest_user = True
        elif kind == "slot" and event.get("name") == "awaiting_confirmation" and seen_latest_user:
            return event.get("value")
    return None
