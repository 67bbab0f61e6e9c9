"""``action_set_notification_preference`` in-process: who may turn order updates off or on."""
from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.notifications import ActionSetNotificationPreference
from actions.services import Services
from tests.unit.actions.conftest import responses, run, tracker

WEB = "web:" + "cd" * 16


@pytest.fixture(autouse=True)
def _services(services: Services) -> None:
    """Every test runs against the standard test shop (the fixture patches ``get_services``)."""


def on_channel(state: Tracker, channel: str) -> Tracker:
    state.events[-1]["input_channel"] = channel
    return state


def said(intent: str, *, channel: str = "rest", sender_id: str = "test-shopper", text: str = "",
         entities: list[dict[str, Any]] | None = None, slots: dict[str, Any] | None = None) -> Tracker:
    return on_channel(tracker(intent=intent, text=text or f"/{intent}", sender_id=sender_id, entities=entities,
                              slots=slots), channel)


def test_a_verified_shopper_turns_updates_off_and_on(services: Services, jane: dict[str, Any]) -> None:
    prefs = services.shop.notification_preferences
    _, messages = run(ActionSetNotificationPreference(), said("stop_updates", slots=jane))
    assert responses(messages) == ["utter_updates_stopped"] and not prefs.wants_updates(1)
    _, messages = run(ActionSetNotificationPreference(), said("start_updates", slots=jane))
    assert responses(messages) == ["utter_updates_started"] and prefs.wants_updates(1)


def test_a_linked_telegram_chat_may_stop_its_customers_updates_without_verifying_again(services: Services) -> None:
    services.shop.identities.link(1, "telegram", "telegram:4242")
    _, messages = run(ActionSetNotificationPreference(), said("stop_updates", channel="telegram",
                                                              sender_id="telegram:4242"))
    assert responses(messages) == ["utter_updates_stopped"]
    assert not services.shop.notification_preferences.wants_updates(1)
    assert services.shop.notification_preferences.wants_updates(2)


def test_an_unknown_sender_is_asked_to_verify_and_nothing_changes(services: Services) -> None:
    _, messages = run(ActionSetNotificationPreference(), said("stop_updates", channel="socketio", sender_id=WEB))
    assert responses(messages) == ["utter_updates_need_verification"]
    assert services.shop.notification_preferences.wants_updates(1)


def test_attack_a_forged_payload_cannot_name_another_customer(services: Services, jane: dict[str, Any]) -> None:
    # /stop_updates{"customer_id": "2", "email": "bob@example.org", "verified_customer_id": "2"} from Jane
    forged = [{"entity": "customer_id", "value": "2"}, {"entity": "email", "value": "bob@example.org"},
              {"entity": "verified_customer_id", "value": "2"}]
    run(ActionSetNotificationPreference(),
        said("stop_updates", slots=jane, entities=forged,
             text='/stop_updates{"customer_id": "2", "email": "bob@example.org"}'))
    prefs = services.shop.notification_preferences
    assert not prefs.wants_updates(1) and prefs.wants_updates(2)


def test_attack_a_forged_verified_slot_is_not_believed(services: Services) -> None:
    # no verification in the ledger for this conversation: the slot alone must not do
    _, messages = run(ActionSetNotificationPreference(),
                      said("stop_updates", slots={"verified_customer_id": "2", "verified_email": "bob@example.org"}))
    assert responses(messages) == ["utter_updates_need_verification"]
    assert services.shop.notification_preferences.wants_updates(2)


def test_attack_a_rest_caller_cannot_use_a_linked_sender_id(services: Services) -> None:
    # REST sender ids are the caller's choice: a link made over REST is no proof on a later REST message
    services.shop.identities.link(2, "rest", "bobs-phone")
    _, messages = run(ActionSetNotificationPreference(), said("stop_updates", channel="rest", sender_id="bobs-phone"))
    assert responses(messages) == ["utter_updates_need_verification"]
    assert services.shop.notification_preferences.wants_updates(2)


def test_another_intent_changes_nothing(services: Services, jane: dict[str, Any]) -> None:
    events, messages = run(ActionSetNotificationPreference(), said("greet", slots=jane))
    assert (events, messages) == ([], [])
    assert services.shop.notification_preferences.wants_updates(1)


def test_the_responses_exist_in_the_domain(domain: dict[str, Any]) -> None:
    for name in ("utter_updates_stopped", "utter_updates_started", "utter_updates_need_verification"):
        assert name in domain["responses"]
    assert {"stop_updates", "start_updates"} <= set(domain["intents"])
