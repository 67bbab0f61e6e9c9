"""action_start_order_task and validate_order_verification_form, in-process."""
from __future__ import annotations

from actions.verification import ActionStartOrderTask, ValidateOrderVerificationForm
from tests.unit.actions.conftest import responses, run, slots_of, tracker

JANE = "jane.doe@example.com"


def test_the_task_asked_for_is_remembered(services) -> None:
    events, messages = run(ActionStartOrderTask(), tracker(text="cancel my order", intent="cancel_order"))
    assert slots_of(events) == {"pending_task": "cancel_order", "awaiting_confirmation": None}
    assert messages == []


def test_a_non_task_intent_keeps_the_pending_task(services) -> None:
    events, _ = run(ActionStartOrderTask(), tracker(text="hm", intent="inform", slots={"pending_task": "return_item"}))
    assert slots_of(events)["pending_task"] == "return_item"


def _validate(services, domain, slots, text, entities=()):
    extracted = {e["entity"]: e["value"] for e in entities}
    state = tracker(slots=slots, text=text, intent="inform", entities=list(entities), extracted=extracted,
                    active_loop="order_verification_form")
    return run(ValidateOrderVerificationForm(), state, domain)


def test_the_right_email_verifies_and_fills_the_customer(services, domain) -> None:
    events, messages = _validate(services, domain, {"order_id": "SO100003", "email": JANE, "requested_slot": "email"},
                                 JANE, [{"entity": "email", "value": JANE}])
    slots = slots_of(events)
    assert slots["verified_customer_id"] == "1" and slots["order_id"] == "SO100003"
    assert messages == []


def test_a_wrong_email_reveals_nothing_and_counts_a_failure(services, domain) -> None:
    events, messages = _validate(services, domain, {"order_id": "SO100003", "email": "x@evil.test",
                                                    "requested_slot": "email"},
                                 "x@evil.test", [{"entity": "email", "value": "x@evil.test"}])
    slots = slots_of(events)
    assert slots.get("email") is None and "verified_customer_id" not in slots
    assert responses(messages) == ["utter_verification_failed"]
    assert slots["verification_failures"] == 1.0 and slots["verification_locked"] is False


def test_a_malformed_order_number_is_asked_again(services, domain) -> None:
    events, messages = _validate(services, domain, {"order_id": "banana", "requested_slot": "order_id"}, "banana",
                                 [{"entity": "order_id", "value": "banana"}])
    assert slots_of(events)["order_id"] is None
    assert responses(messages) == ["utter_order_id_invalid"]


def test_a_database_failure_gets_the_polite_reply_and_accepts_nothing(services, domain, monkeypatch) -> None:
    def broken(order_id):
        raise RuntimeError("database is down")

    monkeypatch.setattr(services.shop.orders, "get_order", broken)
    events, messages = _validate(services, domain, {"order_id": "SO100003", "requested_slot": "order_id"},
                                 "SO100003", [{"entity": "order_id", "value": "SO100003"}])
    assert responses(messages) == ["utter_technical_problem"]
    assert messages[0]["support_email"] == "help@shop.test"
    assert slots_of(events).get("order_id") is None
