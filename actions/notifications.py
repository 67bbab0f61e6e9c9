"""Proactive order updates: "stop updates" and "start updates" (also the button on every notification).

Only the customer this conversation *is* can be changed: one verified in this session (the ledger must
agree, the slot alone is not believed), or the customer a signed channel's sender is linked to (the widget's
signed session, Telegram, Messenger, WhatsApp: the very conversations notifications go to). Entities and
slots in the message are never read, so a forged ``/stop_updates{"customer_id": 7}`` changes nobody else.
A REST sender id is chosen by the caller, so REST needs verification in the session.
"""
from __future__ import annotations

import logging
from typing import Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ShopAction, verified_customer
from actions.services import Services

logger = logging.getLogger(__name__)

INTENTS = {"stop_updates": False, "start_updates": True}
SIGNED_CHANNELS = ("socketio", "telegram", "facebook", "twilio")  # sender ids the platform or we vouch for


def conversation_customer(tracker: Tracker, services: Services) -> Optional[int]:
    """The customer this conversation belongs to, or None when it has not shown who it is."""
    customer = verified_customer(tracker, services)
    if customer is not None:
        return customer
    channel = tracker.get_latest_input_channel()
    if channel in SIGNED_CHANNELS:
        return services.shop.identities.customer_for(channel, tracker.sender_id)
    return None


class ActionSetNotificationPreference(ShopAction):
    def name(self) -> Text:
        return "action_set_notification_preference"

    def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, services: Services) -> Events:
        intent = tracker.get_intent_of_latest_message()
        if intent not in INTENTS:
            logger.warning("conversation %s: %s ran after %r", tracker.sender_id, self.name(), intent)
            return []
        customer = conversation_customer(tracker, services)
        if customer is None:
            dispatcher.utter_message(response="utter_updates_need_verification")
            return []
        opted_in = INTENTS[intent]
        services.shop.notification_preferences.set(customer, opted_in,
                                                   via=tracker.get_latest_input_channel() or "rest")
        dispatcher.utter_message(response="utter_updates_started" if opted_in else "utter_updates_stopped")
        return []
