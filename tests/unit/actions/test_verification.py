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


def test_an_unknown_order_reads_exactly_like_a_wrong_email(services, domain) -> None:
    asked = _validate(services, domain, {"requested_slot": "order_id"}, "SO999999",
                      [{"entity": "order_id", "value": "SO999999"}])
    real = _validate(services, domain, {"requested_slot": "order_id"}, "SO100003",
                     [{"entity": "order_id", "value": "SO100003"}])
    assert asked[1] == real[1] == [] and slots_of(asked[0]) == {"order_id": "SO999999", "email": None}
    unknown = _validate(services, domain, {"order_id": "SO999999", "requested_slot": "email"}, "x@y.test",
                        [{"entity": "email", "value": "x@y.test"}])
    wrong = _validate(services, domain, {"order_id": "SO100003", "requested_slot": "email"}, "x@y.test",
                      [{"entity": "email", "value": "x@y.test"}])
    assert responses(unknown[1]) == responses(wrong[1]) == ["utter_verification_failed"]
    assert slots_of(unknown[0]).keys() == slots_of(wrong[0]).keys()


def test_a_forged_verified_slot_is_not_believed(services, domain) -> None:
    """A tracker that claims Jane (slot set by a forged call) but never proved it is asked for the email."""
    events, messages = _validate(services, domain, {"verified_customer_id": "1", "verified_email": JANE,
                                                    "requested_slot": "order_id"},
                                 "SO100003", [{"entity": "order_id", "value": "SO100003"}])
    assert slots_of(events) == {"order_id": "SO100003", "email": None}


def test_a_proved_verification_skips_the_email_only_in_its_session(services, domain) -> None:
    session = [{"event": "session_started", "timestamp": 100.0}]
    services.shop.verifications.remember("test-shopper", 1, "100.000000")
    state = tracker(slots={"verified_customer_id": "1", "verified_email": JANE, "requested_slot": "order_id"},
                    text="SO100004", intent="inform", entities=[{"entity": "order_id", "value": "SO100004"}],
                    extracted={"order_id": "SO100004"}, active_loop="order_verification_form", events=session)
    events, _ = run(ValidateOrderVerificationForm(), state, domain)
    assert slots_of(events) == {"order_id": "SO100004", "email": JANE}
    later = tracker(slots={"verified_customer_id": "1", "verified_email": JANE, "requested_slot": "order_id"},
                    text="SO100004", intent="inform", entities=[{"entity": "order_id", "value": "SO100004"}],
                    extracted={"order_id": "SO100004"}, active_loop="order_verification_form",
                    events=[*session, {"event": "session_started", "timestamp": 9000.0}])
    events, _ = run(ValidateOrderVerificationForm(), later, domain)
    assert slots_of(events) == {"order_id": "SO100004", "email": None}  # carried slots, new session: ask


def test_an_order_tried_from_many_conversations_is_locked_without_a_ticket(services, domain) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.verification import locked_reply

    for n in range(services.shop.verifications.limits.per_order):
        services.shop.verifications.record_failure("SO100003", f"guess{n}@x.test", f"other-{n}")
    events, messages = _validate(services, domain, {"requested_slot": "order_id"}, "SO100003",
                                 [{"entity": "order_id", "value": "SO100003"}])
    assert slots_of(events)["verification_locked"] is True and messages == []
    dispatcher = CollectingDispatcher()
    state = tracker(slots={"verification_locked": True, "verification_failures": 0})
    locked_reply(dispatcher, state, services)
    assert responses(dispatcher.messages) == ["utter_verification_paused"]
    assert services.shop.tickets.queue() == []


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
