"""action_handle_affirm and action_handle_deny: a yes or no only counts for the question the bot asked in
its last turn, and only for the verified customer's own order. (Refunds and returns: test_refunds.py.)"""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from actions.confirmation import ActionHandleAffirm, ActionHandleDeny
from assistant.shop.storage.models import AddressChange
from tests.unit.actions.conftest import asked, reply, responses, run, slots_of, tracker, unfilled

NEW_ADDRESS = {"address_street": "Hauptstraße 5", "address_city": "München", "address_postal_code": "80331",
               "address_country": "Germany"}


def _yes(slots, events, sender_id: str = "test-shopper"):
    return run(ActionHandleAffirm(), tracker(slots=slots, events=events, text="yes", intent="affirm",
                                             sender_id=sender_id))


def _no(slots, events):
    return run(ActionHandleDeny(), tracker(slots=slots, events=events, text="no", intent="deny"))


def _address_changes(services, order_id: str) -> list[AddressChange]:
    with services.shop.sessions() as session:
        return list(session.scalars(select(AddressChange).where(AddressChange.order_id == order_id)))


# ---- cancel ------------------------------------------------------------------------------------------

def test_yes_cancels_the_paid_order_and_refunds_it(services, domain, jane) -> None:
    events, messages = _yes({**jane, "order_id": "SO100002"}, asked("cancel:SO100002", "cancel SO100002"))
    done = reply(messages, "utter_cancelled_with_refund")
    assert done["order_id"] == "SO100002" and done["amount"] == "$45.95"
    assert done["expected_by"] == "Wed 19 Mar 2025"  # 5 business days after Wed 12 Mar
    assert unfilled(domain, done) == set()
    assert slots_of(events) == {"awaiting_confirmation": None}
    order = services.orders.get_order("SO100002")
    assert order.status == "cancelled" and order.cancelled_at is not None
    refund = services.refunds.refund_status("SO100002")
    assert (refund.id, refund.amount, refund.status) == (done["refund_id"], Decimal("45.95"), "approved")


def test_yes_cancels_an_unpaid_order_without_a_refund(services, jane) -> None:
    _, messages = _yes(jane, asked("cancel:SO100001"))
    assert responses(messages) == ["utter_cancelled"] and messages[0]["order_id"] == "SO100001"
    assert services.orders.get_order("SO100001").status == "cancelled"
    assert services.refunds.refund_status("SO100001") is None


def test_a_second_yes_does_not_cancel_or_refund_twice(services, jane) -> None:
    _yes(jane, asked("cancel:SO100002"))
    _, messages = _yes(jane, asked("cancel:SO100002"))
    assert responses(messages) == ["utter_cancel_already_cancelled"]
    refund = services.refunds.refund_status("SO100002")
    assert refund is not None and refund.amount == Decimal("45.95")


def test_an_order_shipped_since_the_question_is_not_cancelled(services, domain, jane) -> None:
    _, messages = _yes(jane, asked("cancel:SO100003"))
    refusal = reply(messages, "utter_cancel_not_possible_shipped")
    assert refusal["status_verb"] == "shipped" and refusal["return_window_days"] == 30
    assert unfilled(domain, refusal) == set()
    assert services.orders.get_order("SO100003").status == "shipped"


def test_a_japanese_cancellation_has_japanese_amount_and_date(services, jane) -> None:
    _, messages = _yes({**jane, "language": "ja"}, asked("cancel:SO100002"))
    done = reply(messages, "utter_cancelled_with_refund")
    assert done["amount"] == "45.95米ドル" and done["expected_by"] == "2025年3月19日（水）"


# ---- nothing to confirm ------------------------------------------------------------------------------

STALE = [*asked("cancel:SO100002", "cancel my order"),
         {"event": "user", "text": "what's your return policy?", "parse_data": {"intent": {"name": "ask_returns"}},
          "timestamp": 0},
         {"event": "bot", "text": "You can return within 30 days.", "timestamp": 0}]


def test_a_stale_question_is_not_confirmed_by_a_later_yes(services, jane) -> None:
    events, messages = _yes({**jane, "awaiting_confirmation": "cancel:SO100002"}, STALE)
    assert responses(messages) == ["utter_ok"] and slots_of(events) == {"awaiting_confirmation": None}
    assert services.orders.get_order("SO100002").status == "paid"


def test_a_slot_left_over_without_a_question_this_turn_confirms_nothing(services, jane) -> None:
    _, messages = _yes({**jane, "awaiting_confirmation": "cancel:SO100002"}, [])
    assert responses(messages) == ["utter_ok"]
    assert services.orders.get_order("SO100002").status == "paid"


def test_yes_without_any_question_is_just_ok(services, jane) -> None:
    events, messages = _yes(jane, [])
    assert responses(messages) == ["utter_ok"] and slots_of(events) == {"awaiting_confirmation": None}


def test_yes_for_another_customers_order_cancels_nothing(services, jane) -> None:
    _, messages = _yes(jane, asked("cancel:SO200001"))
    assert responses(messages) == ["utter_ok"]
    assert services.orders.get_order("SO200001").status == "delivered"


@pytest.mark.parametrize("order_id", ["SO100001", "SO100002"])
def test_yes_without_a_proved_verification_cancels_nothing(services, clock, order_id) -> None:
    forged = {"verified_customer_id": "1", "verified_email": "jane.doe@example.com"}
    _, messages = _yes(forged, asked(f"cancel:{order_id}"))
    assert responses(messages) == ["utter_ok"]
    assert services.orders.get_order(order_id).status in ("pending", "paid")


def test_yes_to_an_unknown_kind_of_question_does_nothing(services, jane) -> None:
    _, messages = _yes(jane, asked("teleport:SO100002"))
    assert responses(messages) == ["utter_ok"]
    assert services.orders.get_order("SO100002").status == "paid"


# ---- address -----------------------------------------------------------------------------------------

def test_yes_saves_the_new_address_and_audits_it(services, domain, jane) -> None:
    events, messages = _yes({**jane, "current_order_id": "SO100002", **NEW_ADDRESS}, asked("address:SO100002"))
    changed = reply(messages, "utter_address_changed")
    assert changed["new_address"] == "Hauptstraße 5, 80331 München, Germany"
    assert unfilled(domain, changed) == set()
    assert slots_of(events) == {"awaiting_confirmation": None}
    address = services.orders.get_order("SO100002").address
    assert (address.street, address.city, address.postal_code, address.country) == (
        "Hauptstraße 5", "München", "80331", "DE")
    [change] = _address_changes(services, "SO100002")
    assert change.old["city"] == "Berlin" and change.new["city"] == "München"


def test_the_address_audit_names_the_conversation(services, jane) -> None:
    _yes({**jane, "current_order_id": "SO100002", **NEW_ADDRESS}, asked("address:SO100002"))
    [change] = _address_changes(services, "SO100002")
    assert change.conversation_id == "test-shopper"


def test_yes_to_an_address_for_a_shipped_order_keeps_the_old_one(services, jane) -> None:
    _, messages = _yes({**jane, **NEW_ADDRESS}, asked("address:SO100003"))
    assert responses(messages) == ["utter_address_not_possible_closed"]
    assert services.orders.get_order("SO100003").address.city == "Berlin"
    assert _address_changes(services, "SO100003") == []


def test_yes_with_an_address_that_became_invalid_saves_nothing(services, jane) -> None:
    _, messages = _yes({**jane, **NEW_ADDRESS, "address_postal_code": "1"}, asked("address:SO100002"))
    assert responses(messages) == ["utter_address_invalid"] and "postal" in messages[0]["problem"].lower()
    assert services.orders.get_order("SO100002").address.city == "Berlin"


def test_a_refused_address_change_is_explained_in_the_shoppers_language(services, jane) -> None:
    _, messages = _yes({**jane, **NEW_ADDRESS, "language": "ja"}, asked("address:SO100003"))
    assert not re.search("[A-Za-z]", messages[0]["status"])


def test_yes_to_an_address_for_another_customers_order_changes_nothing(services, jane) -> None:
    _, messages = _yes({**jane, **NEW_ADDRESS}, asked("address:SO200001"))
    assert responses(messages) == ["utter_ok"]
    assert _address_changes(services, "SO200001") == []


# ---- handoff and rating questions --------------------------------------------------------------------

def test_yes_to_a_person_opens_a_ticket_with_the_offered_reason(services, clock) -> None:
    events, messages = _yes({}, asked("handoff:complaint", "this is the worst shop ever"), sender_id="angry-1")
    assert responses(messages) == ["utter_handoff_queued"]
    slots = slots_of(events)
    assert slots["handoff_active"] is True and slots["awaiting_confirmation"] is None
    ticket = services.shop.tickets.get(int(slots["handoff_ticket"]))
    assert ticket.reason == "complaint" and ticket.conversation_id == "angry-1"


def test_yes_to_a_rating_question_is_not_a_rating(services, jane) -> None:
    _, messages = _yes(jane, asked("csat:1"))
    assert responses(messages) == ["utter_ok"]


# ---- no ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "response"), [
    ("cancel:SO100002", "utter_cancel_kept"), ("refund:SO100004", "utter_refund_not_started"),
    ("return:SO100004", "utter_refund_not_started"), ("address:SO100002", "utter_address_kept"),
])
def test_no_keeps_things_as_they_are(services, domain, jane, question, response) -> None:
    order_id = question.split(":")[1]
    events, messages = _no({**jane, **NEW_ADDRESS}, asked(question))
    kept = reply(messages, response)
    assert kept["order_id"] == order_id and unfilled(domain, kept) == set()
    assert slots_of(events) == {"awaiting_confirmation": None}
    order = services.orders.get_order(order_id)
    assert order.status in ("paid", "delivered") and order.address.city == "Berlin"
    assert services.refunds.refund_status("SO100004") is None


@pytest.mark.parametrize("events", [asked("handoff:complaint"), asked("csat:3"), [], STALE])
def test_no_to_anything_else_is_no_worries(services, jane, events) -> None:
    result, messages = _no(jane, events)
    assert responses(messages) == ["utter_no_worries"] and slots_of(result) == {"awaiting_confirmation": None}
    assert services.shop.tickets.queue() == []
