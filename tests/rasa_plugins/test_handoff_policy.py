"""HandoffPolicy with Rasa's own tracker: relays everything while a person owns the chat, and while a ticket
waits after hours lets the bot answer, routing only an email address (outside a form) to the relay."""
from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.rasa_plugins.components.handoff_policy import HandoffPolicy


@pytest.fixture(scope="module")
def policy() -> HandoffPolicy:
    return HandoffPolicy(HandoffPolicy.get_default_config(), None, Resource("handoff"),
                         ExecutionContext(GraphSchema({}), "test"))


def _said(text: str, intent: str, *before, email: str | None = None) -> DialogueStateTracker:
    entities = [{"entity": "email", "value": email, "start": 0, "end": len(email)}] if email else []
    return DialogueStateTracker.from_events("shopper", [
        *before, ActionExecuted("action_listen"),
        UserUttered(text, {"name": intent, "confidence": 0.9}, entities)])


def test_a_person_owns_the_chat_every_message_is_relayed(policy) -> None:
    tracker = _said("where is my parcel", "order_status", SlotSet("handoff_active", True))
    assert policy._next_action(tracker) == "action_relay_to_agent"


def test_while_a_ticket_waits_the_bot_answers(policy) -> None:
    tracker = _said("what payment methods do you accept?", "ask_payment", SlotSet("handoff_waiting", True))
    assert policy._next_action(tracker) is None  # the other policies decide


def test_while_a_ticket_waits_an_email_address_is_its_contact(policy) -> None:
    tracker = _said("kim@example.net", "inform", SlotSet("handoff_waiting", True), email="kim@example.net")
    assert policy._next_action(tracker) == "action_relay_to_agent"


def test_an_email_asked_for_by_a_form_stays_with_the_form(policy) -> None:
    tracker = _said("kim@example.net", "inform", SlotSet("handoff_waiting", True),
                    ActiveLoop("order_verification_form"), email="kim@example.net")
    assert policy._next_action(tracker) is None


def test_without_a_ticket_an_email_address_is_not_the_policys(policy) -> None:
    assert policy._next_action(_said("kim@example.net", "inform", email="kim@example.net")) is None


def test_the_life_cycle_intents_route_whatever_the_slots(policy) -> None:
    assert policy._next_action(_said("/back_to_bot", "back_to_bot", SlotSet("handoff_waiting", True))) == \
        "action_end_handoff"
    after = DialogueStateTracker.from_events("shopper", [
        ActionExecuted("action_listen"), UserUttered("x@y.org", {"name": "inform", "confidence": 1.0}),
        ActionExecuted("action_relay_to_agent")])
    assert policy._next_action(after) == "action_listen"
